// `driver: docker-machine:NAME` behind mfile's Driver contract, with Docker Machine 0.16.2's real `none` and
// `generic` drivers (docker-machine linked as docker-machine-driver-NAME) and the fault plugin.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CONFIG_FILE, dockerMachineDriver } from '../../../src/drivers/docker-machine/driver.js';
import type { MachineRequest } from '../../../src/drivers/driver.js';
import { DOCKER_MACHINE_SOURCE, GO, dockerMachineBinary, faultPluginBinary } from '../../helpers/docker-machine/binaries.js';
import { traitsOf } from '../../../src/model/index.js';
import { describeNeeding } from '../../helpers/prerequisites.js';
import { engineSpec } from '../../helpers/sandbox.js';

let root = '';
let bin = '';
let stateDir = '';
const env = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({ ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}`, ...extra });

const request = (driverOptions: Record<string, unknown>, driverData: Record<string, unknown> = {}): MachineRequest => ({
  machine: { name: 'm1', driver: 'none', traits: traitsOf(undefined, 'none'), driverOptions, engine: engineSpec(), tls: { enabled: true, san: [] } },
  driverData,
  ctx: { stateDir, project: 'p' },
});
const configPath = (): string => join(stateDir, 'machines', 'm1', CONFIG_FILE);

beforeAll(() => {
  if (!GO.present() || !DOCKER_MACHINE_SOURCE.present()) return;
  root = mkdtempSync(join(tmpdir(), 'mfile-dm-driver-'));
  bin = join(root, 'bin');
  stateDir = join(root, 'project', '.mfile');
  mkdirSync(bin);
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  for (const d of ['none', 'generic']) symlinkSync(dockerMachineBinary(), join(bin, `docker-machine-driver-${d}`));
  symlinkSync(faultPluginBinary(), join(bin, 'docker-machine-driver-mfilefault'));
});

afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

describeNeeding([GO, DOCKER_MACHINE_SOURCE])('docker-machine:NAME driver adapter', () => {
  it('creates through the plugin, keeps its config (0600) in the machine folder and not in driverData, and removes', async () => {
    const driver = dockerMachineDriver({ name: 'none', env: env() });
    const req = request({ url: 'tcp://10.213.90.5:2376' });
    await driver.preCreateCheck(req);
    expect(existsSync(configPath())).toBe(false);
    const created = await driver.create(req);
    expect(created.driverData).toEqual({});
    const config = JSON.parse(readFileSync(configPath(), 'utf8')) as Record<string, unknown>;
    expect(config).toMatchObject({ MachineName: 'm1', StorePath: stateDir, URL: 'tcp://10.213.90.5:2376' });
    expect(statSync(configPath()).mode & 0o777).toBe(0o600);
    const after = request({ url: 'tcp://10.213.90.5:2376' }, created.driverData);
    expect(await driver.status(after)).toEqual({ status: 'running', detail: 'docker-machine-driver-none: Running' });
    expect(await driver.address(after)).toBeNull();
    await expect(driver.start(after)).rejects.toThrow(/^m1: docker-machine-driver-none Start: hosts without a driver cannot be started$/);
    await driver.remove(after);
    expect(existsSync(configPath())).toBe(false);
    expect(await driver.status(after)).toEqual({ status: 'missing', detail: `no ${CONFIG_FILE}` });
  });

  it("reports the driver's own refusal of its flags in one line", async () => {
    const driver = dockerMachineDriver({ name: 'none', env: env() });
    await expect(driver.preCreateCheck(request({}))).rejects.toThrow(
      /^m1: docker-machine-driver-none SetConfigFromFlags: --url option is required when no driver is selected$/,
    );
  });

  it("refuses a flag the driver does not have, and a value of the wrong type, before the driver sees them", async () => {
    const none = dockerMachineDriver({ name: 'none', env: env() });
    await expect(none.preCreateCheck(request({ URL: 'x' }))).rejects.toThrow(/^m1: docker-machine-driver-none has no flag "URL" \(did you mean url\?\)$/);
    await expect(none.preCreateCheck(request({ 'no-such': 'x' }))).rejects.toThrow(/^m1: docker-machine-driver-none has no flag "no-such"$/);
    const generic = dockerMachineDriver({ name: 'generic', env: env() });
    await expect(generic.preCreateCheck(request({ 'generic-ip-address': '10.213.90.7', 'generic-ssh-port': '22x' }))).rejects.toThrow(
      /^m1: flag generic-ssh-port takes an integer, not "22x"$/,
    );
    await expect(generic.preCreateCheck(request({ 'ip-address': '10.213.90.7' }))).rejects.toThrow(
      /^m1: docker-machine-driver-generic has no flag "ip-address" \(did you mean generic-ip-address\?\)$/,
    );
  });

  it('leaves no config behind when the plugin dies during Create, and says where it died', async () => {
    const driver = dockerMachineDriver({ name: 'mfilefault', env: env({ MFILE_FAULT: 'exit' }) });
    await expect(driver.create(request({}))).rejects.toThrow(
      /^m1: docker-machine-driver-mfilefault died \(exit code 3\) during Create: fatal: the disk went away$/,
    );
    expect(existsSync(configPath())).toBe(false);
  });

  it('keeps the config of a create that failed with the plugin still up, so remove can reach what it made', async () => {
    const driver = dockerMachineDriver({ name: 'mfilefault', env: env({ MFILE_FAULT: 'trapped' }) });
    await expect(driver.create(request({}))).rejects.toThrow(/^m1: docker-machine-driver-mfilefault Create: Panic in the driver: boom in Create$/);
    expect(statSync(configPath()).mode & 0o777).toBe(0o600);
    await driver.remove(request({}));
    expect(existsSync(configPath())).toBe(false);
  });

  it('removes what a failed create left (its kept config) before creating again', async () => {
    const trapped = dockerMachineDriver({ name: 'mfilefault', env: env({ MFILE_FAULT: 'trapped' }) });
    await expect(trapped.create(request({}))).rejects.toThrow(/Panic in the driver/);
    const removed = join(root, 'removed.log');
    const working = dockerMachineDriver({ name: 'mfilefault', env: env({ MFILE_FAULT_REMOVED: removed, MFILE_FAULT_SSH_HOST: '10.213.190.9' }) });
    const created = await working.create(request({}));
    expect(readFileSync(removed, 'utf8')).toBe('Remove\n');
    expect(created.driverData).toEqual({ host: '10.213.190.9', port: 22, user: 'root', identityFile: '' });
    await working.remove(request({}, created.driverData));
    expect(readFileSync(removed, 'utf8')).toBe('Remove\nRemove\n');
    expect(existsSync(configPath())).toBe(false);
  });

  it("takes a flag the block leaves out from the driver's environment variable, as Docker Machine does", async () => {
    // The generic driver's GetState dials the SSH port: something must listen there for the create to finish.
    const server = createServer((c) => c.destroy());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    try {
      const driver = dockerMachineDriver({ name: 'generic', env: env({ GENERIC_SSH_PORT: String(port), GENERIC_SSH_USER: 'deploy' }) });
      const created = await driver.create(request({ 'generic-ip-address': '127.0.0.1', 'generic-ssh-user': 'admin' }));
      expect(created.driverData).toMatchObject({ host: '127.0.0.1', port, user: 'admin' });
      await driver.remove(request({}, created.driverData));
    } finally {
      server.close();
    }
    const bad = dockerMachineDriver({ name: 'generic', env: env({ GENERIC_SSH_PORT: 'twenty' }) });
    await expect(bad.preCreateCheck(request({ 'generic-ip-address': '127.0.0.1' }))).rejects.toThrow(
      /^m1: \$GENERIC_SSH_PORT \(flag generic-ssh-port\) takes an integer, not "twenty"$/,
    );
  });

  it('says which machine was never created through the plugin when asked to act on it', async () => {
    const driver = dockerMachineDriver({ name: 'none', env: env() });
    await expect(driver.stop(request({}))).rejects.toThrow(/^m1: no docker-machine-driver\.json in its folder: it was not created through docker-machine-driver-none$/);
  });
});
