// The plugin runner and adapter against small fault plugins: each way a plugin can fail (exit, hang, garbage,
// another protocol version, an error answer, a bad describe) gives one line naming the plugin and the operation.
import { chmodSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DriverError } from '../../../src/errors.js';
import { pluginDriver } from '../../../src/drivers/plugin/adapter.js';
import { describePlugin, pluginOnPath, pluginsOnPath } from '../../../src/drivers/plugin/discovery.js';
import { PluginFailure } from '../../../src/drivers/plugin/failure.js';
import { callOnce, PluginSession } from '../../../src/drivers/plugin/runner.js';
import type { MachineSpec } from '../../../src/model/index.js';
import { pluginDir, writePlugin } from './fault-plugins.js';

const machine = (name: string): MachineSpec =>
  ({
    name,
    driver: 'x',
    driverOptions: { size: 1 },
    engine: { install: 'auto', port: 2376, transport: 'tcp', labels: {}, registryMirrors: [], insecureRegistries: [], logOpts: {}, daemon: {}, uninstall: false },
    tls: { enabled: true, san: [] },
  }) as unknown as MachineSpec;

async function failure(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a failure');
}

function isOneLine(msg: string): void {
  expect(msg.split('\n')).toHaveLength(1);
}

describe('plugin runner', () => {
  it('a good plugin: handshake, describe into traits, progress and stderr lines reach the log, answers come back', async () => {
    const dir = pluginDir();
    const path = writePlugin(dir, 'x', `note('making it'); process.stderr.write('log line\\n'); reply({ driverData: { id: msg.params.machine.name } });`);
    const d = await describePlugin(path, 'x');
    expect(d.traits).toMatchObject({ name: 'x', kind: 'plugin', block: 'x', creates: true, provisioned: false, lifecycle: ['start', 'stop'] });
    const logs: string[] = [];
    const r = await callOnce(path, 'create', { machine: { name: 'm1' } }, { onLog: (l) => logs.push(l) });
    expect(r).toEqual({ driverData: { id: 'm1' } });
    expect(logs).toContain('making it');
    expect(logs).toContain('log line');
  });

  it('a plugin that dies midway through create: "create: plugin exited with status 3 before answering" with its stderr', async () => {
    const path = writePlugin(pluginDir(), 'x', `process.stderr.write('Traceback: boom\\n'); process.exit(3);`);
    const err = await failure(callOnce(path, 'create', {}));
    expect(err).toBeInstanceOf(PluginFailure);
    expect(err.message).toBe('driver plugin mfile-driver-x: create: plugin exited with status 3 before answering (stderr: Traceback: boom)');
  });

  it('a plugin that hangs is killed when its time is up: "create timed out after 1 s"', async () => {
    const dir = pluginDir();
    // Ignores SIGTERM and stays after stdin closes, so only the SIGKILL that follows ends it.
    const path = writePlugin(dir, 'x', `require('fs').writeFileSync(${JSON.stringify(join(dir, 'pid'))}, String(process.pid)); process.on('SIGTERM', () => {}); setInterval(() => {}, 1000);`);
    const s = await PluginSession.open(path, { env: { ...process.env, MFILE_DRIVER_PLUGIN_TIMEOUT: '1' } });
    const err = await failure(s.call('create', {}));
    expect(err.message).toBe('driver plugin mfile-driver-x: create timed out after 1 s');
    const pid = Number(readFileSync(join(dir, 'pid'), 'utf8'));
    await s.close(); // resolves once the process is gone
    expect(existsSync(`/proc/${pid}/status`) && !/State:\s+Z/.test(readFileSync(`/proc/${pid}/status`, 'utf8'))).toBe(false);
  });

  it('a plugin that writes something other than JSON-RPC on stdout is stopped and named', async () => {
    const path = writePlugin(pluginDir(), 'x', `write('hello from the plugin');`);
    const err = await failure(callOnce(path, 'status', {}));
    expect(err.message).toBe('driver plugin mfile-driver-x: status: wrote a line that is not JSON-RPC: "hello from the plugin"');
  });

  it('a plugin that speaks another major protocol version is refused at the handshake', async () => {
    const path = writePlugin(pluginDir(), 'x', `reply({})`, { protocol: '2.0' });
    const err = await failure(callOnce(path, 'status', {}));
    expect(err.message).toBe('driver plugin mfile-driver-x: handshake: plugin speaks protocol 2.0, mfile speaks 1.0');
  });

  it("an error answer becomes the plugin's one-line message", async () => {
    const path = writePlugin(pluginDir(), 'x', `fail(-32000, 'subnet 10.213.80.0/24 is in use\\nby eth0')`);
    const err = (await failure(callOnce(path, 'create', {}))) as PluginFailure;
    expect(err.message).toBe('driver plugin mfile-driver-x: create: subnet 10.213.80.0/24 is in use | by eth0');
    expect(err.code).toBe(-32000);
  });

  it('a plugin that cannot be run says so', async () => {
    const err = await failure(callOnce(join(pluginDir(), 'mfile-driver-gone'), 'status', {}));
    expect(err.message).toMatch(/^driver plugin mfile-driver-gone: handshake: cannot run the plugin: .*ENOENT/);
  });

  it('describe answers that do not fit are refused: wrong name, a block schema that does not compile, a bad trait', async () => {
    const dir = pluginDir();
    const wrongName = writePlugin(dir, 'x', '', { describe: { name: 'y', version: '1', traits: { block: null, blockSchema: null, creates: true, provisioned: false, removesHostedObjects: false, lifecycle: [] } } });
    expect((await failure(describePlugin(wrongName, 'x'))).message).toBe('driver plugin mfile-driver-x: describe: names itself "y" but is installed as mfile-driver-x');
    const badSchema = writePlugin(dir, 'z', '', { describe: { name: 'z', version: '1', traits: { block: 'z', blockSchema: { type: 'objekt' }, creates: true, provisioned: false, removesHostedObjects: false, lifecycle: [] } } });
    expect((await failure(describePlugin(badSchema, 'z'))).message).toMatch(/^driver plugin mfile-driver-z: describe: traits.blockSchema does not compile: /);
    const badTrait = writePlugin(dir, 'w', '', { describe: { name: 'w', version: '1', traits: { block: null, blockSchema: null, creates: 'yes', provisioned: false, removesHostedObjects: false, lifecycle: [] } } });
    expect((await failure(describePlugin(badTrait, 'w'))).message).toBe('driver plugin mfile-driver-w: describe: answer /traits/creates must be boolean');
  });
});

describe('plugin discovery', () => {
  it('finds mfile-driver-NAME executables on PATH, the first folder winning, and skips files that are not executable', () => {
    const a = pluginDir();
    const b = pluginDir();
    const first = writePlugin(a, 'x', '');
    writePlugin(b, 'x', '');
    const y = writePlugin(b, 'y', '');
    chmodSync(writePlugin(b, 'noexec', ''), 0o644);
    const env = { PATH: `${a}:${b}` };
    expect(pluginOnPath('x', env)).toBe(first);
    expect(pluginOnPath('noexec', env)).toBeUndefined();
    expect([...pluginsOnPath(env)]).toEqual([['x', first], ['y', y]]);
  });
});

describe('plugin adapter', () => {
  const ctx = () => ({ stateDir: join(pluginDir(), '.mfile'), project: 'p' });

  it('a failed operation is one DriverError line naming machine, plugin and operation', async () => {
    const path = writePlugin(pluginDir(), 'x', `process.exit(1)`);
    const driver = pluginDriver(await describePlugin(path, 'x'));
    const err = await failure(driver.create({ machine: machine('web-1'), driverData: {}, ctx: ctx() }));
    expect(err).toBeInstanceOf(DriverError);
    expect(err.message).toBe('web-1: driver plugin mfile-driver-x: create: plugin exited with status 1 before answering');
    isOneLine(err.message);
  });

  it('sends the machine block, driver data and folders; checks the shape of answers', async () => {
    const dir = pluginDir();
    const path = writePlugin(
      dir,
      'x',
      `if (msg.method === 'create') return reply({ driverData: { got: msg.params.machine.options.size, dir: msg.params.machineDir } });
       if (msg.method === 'status') return reply({ status: 'sleeping' });
       if (msg.method === 'engineUrl') return reply({ kind: 'tcp', host: '10.0.0.5', port: 2376 });
       if (msg.method === 'start') return reply({ driverData: { pid: 7 } });
       fail(-32601, 'Method not found');`,
    );
    const driver = pluginDriver(await describePlugin(path, 'x'));
    const c = ctx();
    const created = await driver.create({ machine: machine('m'), driverData: {}, ctx: c });
    expect(created.driverData).toEqual({ got: 1, dir: join(c.stateDir, 'machines/m') });
    expect((await failure(driver.status({ machine: machine('m'), driverData: {}, ctx: c }))).message).toBe(
      'm: driver plugin mfile-driver-x: status: "status" must be one of running, stopped, missing, unknown, error',
    );
    expect(await driver.engineUrl({ machine: machine('m'), driverData: {}, ctx: c })).toEqual({ kind: 'tcp', host: '10.0.0.5', port: 2376 });
    const data: Record<string, unknown> = { a: 1 };
    await driver.start({ machine: machine('m'), driverData: data, ctx: c });
    expect(data).toEqual({ a: 1, pid: 7 });
    expect((await failure(driver.kill({ machine: machine('m'), driverData: data, ctx: c }))).message).toBe('m: driver x cannot kill a machine');
  });
});

describe('a driver only the state names', () => {
  it('is found on PATH and described without an await (driverFor), so destroy works after the machine left machines.yml', async () => {
    const dir = pluginDir();
    writePlugin(dir, 'stateonly', `reply({})`);
    const { driverFor } = await import('../../../src/drivers/registry.js');
    const saved = process.env.PATH;
    process.env.PATH = `${dir}:${saved}`;
    try {
      const d = driverFor('stateonly' as never);
      expect(d.traits).toMatchObject({ name: 'stateonly', kind: 'plugin', provisioned: false, removesHostedObjects: true });
    } finally {
      process.env.PATH = saved;
    }
  });

  it('a plugin of another protocol version is refused there too', async () => {
    const { describePluginSync } = await import('../../../src/drivers/plugin/discovery.js');
    const path = writePlugin(pluginDir(), 'x', `reply({})`, { protocol: '3.1' });
    expect(() => describePluginSync(path, 'x')).toThrow('driver plugin mfile-driver-x: handshake: plugin speaks protocol 3.1, mfile speaks 1.0');
  });
});
