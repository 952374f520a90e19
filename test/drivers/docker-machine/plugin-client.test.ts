// The plugin client against real plugins: Docker Machine 0.16.2's own in-tree drivers (the docker-machine binary,
// built from source and linked as docker-machine-driver-NAME, serves them over its plugin protocol) and mfile's
// fault plugin (test/fixtures/docker-machine-fault-plugin) for the ways a plugin can fail.
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DockerMachinePlugin } from '../../../src/drivers/docker-machine/plugin-client.js';
import { DOCKER_MACHINE_SOURCE, GO, dockerMachineBinary, faultPluginBinary } from '../../helpers/docker-machine/binaries.js';
import { describeNeeding } from '../../helpers/prerequisites.js';

let bin = '';
let store = '';
const env = (): NodeJS.ProcessEnv => ({ ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}` });
const started: DockerMachinePlugin[] = [];

async function plugin(driver: string, extra: Partial<Parameters<typeof DockerMachinePlugin.start>[0]> = {}): Promise<DockerMachinePlugin> {
  const p = await DockerMachinePlugin.start({ machine: 'm1', command: `docker-machine-driver-${driver}`, driverName: driver, env: env(), ...extra });
  started.push(p);
  return p;
}

/** PIDs of fault plugins alive (not zombies) with MFILE_FAULT=fault in their environment. */
function runningFaultPlugins(fault: string): number[] {
  const exe = faultPluginBinary();
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((pid) => {
      try {
        const alive = !/^\S+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
        return alive && readlinkSync(`/proc/${pid}/exe`) === exe && readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(`MFILE_FAULT=${fault}`);
      } catch {
        return false;
      }
    })
    .map(Number);
}

beforeAll(() => {
  if (!GO.present() || !DOCKER_MACHINE_SOURCE.present()) return;
  bin = mkdtempSync(join(tmpdir(), 'mfile-dm-bin-'));
  store = mkdtempSync(join(tmpdir(), 'mfile-dm-store-'));
  const dm = dockerMachineBinary();
  for (const d of ['none', 'generic']) symlinkSync(dm, join(bin, `docker-machine-driver-${d}`));
  symlinkSync(faultPluginBinary(), join(bin, 'docker-machine-driver-mfilefault'));
});

afterAll(async () => {
  for (const p of started) await p.close();
  if (bin) rmSync(bin, { recursive: true, force: true });
  if (store) rmSync(store, { recursive: true, force: true });
});

describeNeeding([GO, DOCKER_MACHINE_SOURCE])('Docker Machine plugin client with real plugins', () => {
  it('runs a session with the none driver: version, flags, config in and out, state, URL, a refused Start, Close', async () => {
    const p = await plugin('none');
    expect(await p.getVersion()).toBe(1);
    expect(await p.getCreateFlags()).toEqual([
      { kind: 'string', name: 'url', usage: 'URL of host when no driver is selected', envVar: '', default: '' },
    ]);
    await p.setConfigRaw({ MachineName: 'm1', StorePath: store });
    expect(await p.getMachineName()).toBe('m1');
    expect(await p.driverName()).toBe('none');
    await p.setConfigFromFlags(new Map([['url', 'tcp://10.213.90.5:2376']]));
    expect(await p.getConfigRaw()).toMatchObject({ MachineName: 'm1', StorePath: store, URL: 'tcp://10.213.90.5:2376' });
    expect(await p.getState()).toBe('Running');
    expect(await p.getURL()).toBe('tcp://10.213.90.5:2376');
    await expect(p.start()).rejects.toThrow(/^m1: docker-machine-driver-none Start: hosts without a driver cannot be started$/);
    await p.close();
    expect(await p.exited).toEqual({ code: 0, signal: null });
  });

  it('gets the generic driver flags with their types and defaults, and its SSH endpoint from the flags set', async () => {
    const p = await plugin('generic');
    const flags = new Map((await p.getCreateFlags()).map((f) => [f.name, f]));
    expect(flags.get('generic-ip-address')).toMatchObject({ kind: 'string', default: '' });
    expect(flags.get('generic-ssh-port')).toMatchObject({ kind: 'int', default: 22, envVar: 'GENERIC_SSH_PORT' });
    expect(flags.get('generic-engine-port')).toMatchObject({ kind: 'int', default: 2376 });
    expect(flags.get('generic-ssh-user')).toMatchObject({ kind: 'string', default: 'root' });
    await p.setConfigRaw({ MachineName: 'm1', StorePath: store });
    // Docker Machine passes every flag: the defaults, overridden by what the user set.
    const values = new Map([...flags.values()].map((f) => [f.name, f.default]));
    values.set('generic-ip-address', '10.213.90.7');
    values.set('generic-ssh-port', 2222);
    await p.setConfigFromFlags(values);
    expect(await p.getSSHHostname()).toBe('10.213.90.7');
    expect(await p.getSSHPort()).toBe(2222);
    expect(await p.getSSHUsername()).toBe('root');
    expect(await p.getConfigRaw()).toMatchObject({ IPAddress: '10.213.90.7', SSHPort: 2222, EnginePort: 2376 });
  });

  it('sends heartbeats the real plugin answers, beside ordinary calls', async () => {
    let answered = 0;
    let third: () => void = () => undefined;
    const threeAnswered = new Promise<void>((resolve) => { third = resolve; });
    const p = await plugin('none', { heartbeatMs: 20, onHeartbeat: () => { if (++answered === 3) third(); } });
    await threeAnswered;
    expect(await p.getState()).toBe('Running');
  });

  it("hands every kind of flag value to Go's decoder as the Go type a driver asserts", async () => {
    const p = await plugin('mfilefault');
    await p.setConfigFromFlags(new Map<string, string | number | boolean | string[]>([
      ['s', 'tcp://10.213.90.5:2376'],
      ['empty', ''],
      ['i', -3],
      ['big', 2 ** 40],
      ['b', true],
      ['off', false],
      ['l', ['a', 'b']],
      ['none', []],
    ]));
    expect(await p.getConfigRaw()).toEqual({
      s: ['string', 'tcp://10.213.90.5:2376'],
      empty: ['string', ''],
      i: ['int', -3],
      big: ['int', 2 ** 40],
      b: ['bool', true],
      off: ['bool', false],
      l: ['[]string', ['a', 'b']],
      none: ['[]string', null], // Go decodes an empty slice as a nil one (JSON null); its type is what a driver asserts
    });
  });

  it('falls back to the service name of plugins older than Docker Machine 0.5.1', async () => {
    const p = await plugin('mfilefault', { env: { ...env(), MFILE_FAULT: 'v0' } });
    expect(await p.getState()).toBe('Running');
  });

  it('names the plugin and the method when the plugin dies between calls', async () => {
    const p = await plugin('none');
    process.kill(p.pid!, 'SIGKILL');
    await p.exited;
    await expect(p.getState()).rejects.toThrow(/^m1: docker-machine-driver-none died \(signal SIGKILL\) during GetState$/);
  });

  it('names the plugin and the method when it exits in the middle of a call, with its last words', async () => {
    const p = await plugin('mfilefault', { env: { ...env(), MFILE_FAULT: 'exit' } });
    await expect(p.create()).rejects.toThrow(/^m1: docker-machine-driver-mfilefault died \(exit code 3\) during Create: fatal: the disk went away$/);
  });

  it("gives a plugin's unrecovered panic as its first line, not its stack", async () => {
    const p = await plugin('mfilefault', { env: { ...env(), MFILE_FAULT: 'panic' } });
    await expect(p.create()).rejects.toThrow(/^m1: docker-machine-driver-mfilefault died \(exit code 2\) during Create: panic: boom in Create$/);
  });

  it('keeps a recovered panic Docker Machine reports (message and stack) to one line', async () => {
    const p = await plugin('mfilefault', { env: { ...env(), MFILE_FAULT: 'trapped' } });
    await expect(p.create()).rejects.toThrow(/^m1: docker-machine-driver-mfilefault Create: Panic in the driver: boom in Create$/);
    expect(await p.getState()).toBe('Running');
  });

  it('takes a plugin that stops answering heartbeats as hung: it is stopped and the next call says so', async () => {
    const p = await plugin('mfilefault', { env: { ...env(), MFILE_FAULT: 'deaf' }, heartbeatMs: 100 });
    await p.create();
    await p.exited;
    await expect(p.getState()).rejects.toThrow(/^m1: docker-machine-driver-mfilefault stopped answering \(no heartbeat reply for 0\.2 s\) during GetState$/);
  });

  it('ends a call that hangs when the plugin is closed, naming the method', async () => {
    const p = await plugin('mfilefault', { env: { ...env(), MFILE_FAULT: 'hang' } });
    const outcome = p.create().then(
      () => 'answered',
      (err: Error) => err.message,
    );
    await p.close();
    expect(await outcome).toBe('m1: docker-machine-driver-mfilefault Create: the plugin was closed');
  });

  it('stops a plugin whose call runs out of time (Go answers heartbeats beside a hung call), naming the method', async () => {
    const p = await plugin('mfilefault', { env: { ...env(), MFILE_FAULT: 'hang' }, callTimeoutMs: (m) => (m === 'Create' ? 300 : undefined) });
    await expect(p.create()).rejects.toThrow(/^m1: docker-machine-driver-mfilefault did not answer within 0\.3 s \(stopped\) during Create$/);
    expect(await p.exited).toEqual({ code: null, signal: 'SIGKILL' });
  });

  it('refuses a plugin of another API version and leaves no process behind', async () => {
    const start = DockerMachinePlugin.start({
      machine: 'm1',
      command: 'docker-machine-driver-mfilefault',
      driverName: 'mfilefault',
      env: { ...env(), MFILE_FAULT: 'version' },
      onLine: () => undefined,
    });
    await expect(start).rejects.toThrow(/^m1: docker-machine-driver-mfilefault GetVersion: speaks plugin API version 2; mfile speaks 1$/);
    expect(runningFaultPlugins('version')).toEqual([]);
  });

  it('says which binary is missing', async () => {
    await expect(plugin('nosuchdriver')).rejects.toThrow(/^m1: docker-machine-driver-nosuchdriver not found \(is it on PATH\?\)$/);
  });
});
