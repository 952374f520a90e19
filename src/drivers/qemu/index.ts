// qemu: a virtual machine on this computer from a cloud disk image. The base image is read only (cached per user
// when downloaded); the machine's disk is a qcow2 overlay in its folder, its first boot is set up by a NoCloud
// seed (user, SSH key, host key), and from there it is provisioned over SSH like any server. qemu runs detached
// with a pid file and a QMP socket in the machine's folder; status comes from QMP.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { DriverError } from '../../errors.js';
import type { SshAddress } from '../../model/index.js';
import { engineEndpointFor } from '../../remote/provision/provision.js';
import { sshPool } from '../../remote/ssh/pool.js';
import { ensureMachineDir } from '../../remote/tls/store.js';
import type { CreateResponse, Driver, EngineEndpoint, MachineRequest, StatusResponse } from '../driver.js';
import { ensureMachineKey, machineKeyPath } from '../plugin/machine-key.js';
import { chooseAccel, plannedAccel } from './accel.js';
import { qemuArgv } from './argv.js';
import { waitForSsh } from './boot-wait.js';
import { bridgeNames, claimAddress, ensureTap, releaseBridge } from './bridge.js';
import { startEngine } from './engine-start.js';
import { qemuFiles, type QemuFiles } from './files.js';
import { makeHostKey } from './host-key.js';
import { cachedImage, localImage } from './image-cache.js';
import { qemuOptions, type BridgeOptions, type PortForward, type QemuOptions } from './options.js';
import { createOverlay } from './overlay.js';
import { freePorts, portFree } from './ports.js';
import { checkBinaries, checkMemory, QEMU_BINARY } from './preflight.js';
import { killPid, launch, runningPid, waitExit } from './process.js';
import { qmpCommand, queryStatus } from './qmp.js';
import { GUEST_USER, writeSeed } from './seed.js';
import { qemuTraits } from './traits.js';

export interface QemuData {
  /** The base image the overlay reads (in the per-user cache, or the path given). */
  base: string;
  accel: 'kvm' | 'tcg';
  accelReason: string;
  /** network: user: 127.0.0.1 ports forwarded to the guest's SSH and engine ports; fixed for the machine's life. */
  sshPort?: number;
  enginePort?: number;
  forwards: PortForward[];
  /** network: bridge: the machine's address and the /24 of its bridge. */
  ip?: string;
  subnet?: string;
  instanceId: string;
  /** Of the host key mfile put in the seed: the first contact is verified too. */
  hostKeyFingerprint: string;
}

function opts(req: MachineRequest): QemuOptions {
  return qemuOptions(req.machine, dirname(req.ctx.stateDir));
}

function files(req: MachineRequest): QemuFiles {
  return qemuFiles(req.ctx.stateDir, req.machine.name);
}

function data(req: MachineRequest): QemuData {
  const d = req.driverData as Partial<QemuData>;
  if (!d.base || !(d.ip || (d.sshPort && d.enginePort))) throw new DriverError(req.machine.name, 'qemu machine has not been created');
  return d as QemuData;
}

/** The bridge the machine was created on (from its record, so a changed config never strands its tap). */
function recordedBridge(d: Partial<QemuData>): BridgeOptions | undefined {
  if (!d.ip || !d.subnet) return undefined;
  return { subnet: d.subnet, prefix: d.ip.split('.').slice(0, 3).join('.'), ip: d.ip };
}

/** Where the machine's SSH and engine answer: its bridge address, or forwarded ports on 127.0.0.1. */
function reach(req: MachineRequest, d: QemuData): { host: string; sshPort: number; enginePort: number } {
  if (d.ip) return { host: d.ip, sshPort: 22, enginePort: req.machine.engine.port };
  return { host: '127.0.0.1', sshPort: d.sshPort!, enginePort: d.enginePort! };
}

async function baseImage(req: MachineRequest, o: QemuOptions): Promise<string> {
  const name = req.machine.name;
  if (!o.isUrl) return localImage(name, o.image, o.checksum);
  return cachedImage({ machine: name, url: o.image, checksum: o.checksum!, log: req.ctx.log, signal: req.ctx.signal });
}

/** Starts qemu for the machine and waits until its SSH port answers. */
async function boot(req: MachineRequest, d: QemuData, o: QemuOptions, f: QemuFiles): Promise<void> {
  const name = req.machine.name;
  const bridge = recordedBridge(d);
  // Every boot: the tap (and bridge) do not outlive a reboot of this computer.
  const tap = bridge ? await ensureTap(req.ctx.stateDir, name, bridge) : undefined;
  for (const p of bridge ? [] : [d.sshPort!, d.enginePort!, ...d.forwards.map((x) => x.hostPort)]) {
    if (!(await portFree(p))) throw new DriverError(name, `port 127.0.0.1:${p} of this machine is taken by another program`);
  }
  checkMemory(name, o.memoryMiB);
  await rm(f.pidFile, { force: true });
  const argv = qemuArgv({
    name: `mfile-${name}`,
    accel: d.accel,
    cpus: o.cpus,
    memoryMiB: o.memoryMiB,
    overlay: f.overlay,
    seedDir: f.seedDir,
    qmpSocket: f.qmpSocket,
    pidFile: f.pidFile,
    consoleLog: f.consoleLog,
    sshPort: d.sshPort ?? 0,
    enginePort: d.enginePort ?? 0,
    guestEnginePort: req.machine.engine.port,
    forwards: d.forwards,
    ...(tap ? { tap: { ifname: tap.tap, mac: tap.mac } } : {}),
  });
  const at = reach(req, d);
  const net = tap ? `${d.ip} on ${tap.bridge}` : `SSH on 127.0.0.1:${d.sshPort}`;
  req.ctx.log?.(`${name}: starting qemu (${d.accel}: ${d.accelReason}; ${o.cpus} CPUs, ${o.memoryMiB} MiB; ${net})`);
  await launch(name, QEMU_BINARY, argv);
  const pid = runningPid(f.pidFile);
  if (!pid) throw new DriverError(name, `qemu started but left no running process (pid file ${f.pidFile})`);
  await waitForSsh(name, pid, { host: at.host, port: at.sshPort }, f, req.ctx.signal, req.ctx.log);
}

/** Powers the machine off: ACPI power button through QMP, then SIGKILL after graceMs. */
async function powerOff(req: MachineRequest, graceMs: number): Promise<void> {
  const f = files(req);
  const pid = runningPid(f.pidFile);
  await sshPool().drop(req.machine.name);
  if (!pid) return;
  if (graceMs > 0) {
    req.ctx.log?.(`${req.machine.name}: asking the guest to power down`);
    const asked = await qmpCommand(f.qmpSocket, 'system_powerdown').then(() => true, () => false);
    if (asked && (await waitExit(pid, graceMs))) return;
    req.ctx.log?.(`${req.machine.name}: the guest did not power down within ${Math.round(graceMs / 1000)} s: killing qemu`);
  }
  await killPid(pid, req.machine.name);
}

/** MFILE_QEMU_STOP_TIMEOUT (seconds) overrides how long a guest gets to power down. */
function stopGraceMs(): number {
  const s = Number(process.env.MFILE_QEMU_STOP_TIMEOUT);
  return s > 0 ? s * 1000 : 120_000;
}

function configuredBridge(req: MachineRequest): BridgeOptions | undefined {
  try {
    return opts(req).bridge;
  } catch {
    return undefined;
  }
}

async function removeFiles(f: QemuFiles): Promise<void> {
  // The whole folder: overlay, seed, sockets, keys and certificates. The base image lives elsewhere.
  await rm(f.dir, { recursive: true, force: true });
}

export function qemuDriver(): Driver {
  const driver: Driver = {
    name: qemuTraits.name,
    traits: qemuTraits,

    async preCreateCheck(req) {
      const o = opts(req);
      await checkBinaries(req.machine.name);
      checkMemory(req.machine.name, o.memoryMiB);
      if (!o.isUrl) await localImage(req.machine.name, o.image, undefined);
    },

    async create(req): Promise<CreateResponse> {
      await driver.preCreateCheck(req);
      const name = req.machine.name;
      const o = opts(req);
      const f = files(req);
      await ensureMachineDir(req.ctx.stateDir, name);
      // A create cut off before its record was saved may have left a VM running on this folder.
      const stray = runningPid(f.pidFile);
      if (stray) await killPid(stray, name);
      let ip: string | undefined;
      try {
        const base = await baseImage(req, o);
        const choice = plannedAccel(req.choices) ?? (await chooseAccel(o.accel, QEMU_BINARY));
        const key = await ensureMachineKey(req.ctx.stateDir, name);
        const hostKey = await makeHostKey(name, f.dir);
        const instanceId = `mfile-${randomBytes(8).toString('hex')}`;
        if (o.bridge) {
          ip = await claimAddress(req.ctx.stateDir, name, o.bridge);
          req.ctx.log?.(`${name}: address ${ip} on ${bridgeNames(req.ctx.stateDir, name, o.bridge).bridge}`);
        }
        const b = o.bridge && bridgeNames(req.ctx.stateDir, name, o.bridge);
        const network = b && ip ? { mac: b.mac, address: `${ip}/24`, gateway: b.gateway } : undefined;
        await rm(f.seedDir, { recursive: true, force: true });
        await writeSeed(f.seedDir, { machine: name, instanceId, authorizedKey: key.publicKey, hostKey, ...(network ? { network } : {}) });
        await rm(f.overlay, { force: true });
        await createOverlay(name, base, f.overlay, o.diskBytes);
        const ports = ip ? {} : await freePorts(2).then(([sshPort, enginePort]) => ({ sshPort, enginePort }));
        const d: QemuData = {
          base,
          accel: choice.accel,
          accelReason: choice.reason,
          ...ports,
          forwards: o.forwards,
          ...(ip && o.bridge ? { ip, subnet: o.bridge.subnet } : {}),
          instanceId,
          hostKeyFingerprint: hostKey.fingerprint,
        };
        await boot(req, d, o, f);
        return { driverData: { ...d } };
      } catch (e) {
        const pid = runningPid(f.pidFile);
        if (pid) await killPid(pid, name).catch(() => undefined);
        await removeFiles(f).catch(() => undefined);
        if (o.bridge) await releaseBridge(req.ctx.stateDir, name, o.bridge, ip).catch(() => undefined);
        throw e;
      }
    },

    async start(req) {
      const d = data(req);
      const f = files(req);
      if (!runningPid(f.pidFile)) {
        if (!existsSync(f.overlay)) throw new DriverError(req.machine.name, `the machine's disk ${f.overlay} is gone: recreate the machine`);
        await sshPool().drop(req.machine.name);
        await boot(req, d, opts(req), f);
      }
      // Before the first provisioning there is no engine to start: apply does that.
      if (!req.prior?.hostKeyFingerprint) return;
      await startEngine(req, { address: (await driver.address(req))!, hostKeyFingerprint: d.hostKeyFingerprint }, reach(req, d));
    },

    async stop(req) {
      await powerOff(req, stopGraceMs());
    },

    async restart(req) {
      await driver.stop(req);
      await driver.start(req);
    },

    async kill(req) {
      await powerOff(req, 0);
    },

    async remove(req) {
      const f = files(req);
      const d = req.driverData as Partial<QemuData>;
      const pid = runningPid(f.pidFile);
      await sshPool().drop(req.machine.name);
      if (pid) await killPid(pid, req.machine.name);
      await removeFiles(f);
      // A create cut off before its record was saved: the config says which bridge its address may be on.
      const bridge = recordedBridge(d) ?? configuredBridge(req);
      if (bridge) await releaseBridge(req.ctx.stateDir, req.machine.name, bridge, d.ip);
    },

    async createChoices(req) {
      const o = opts(req);
      const c = await chooseAccel(o.accel, QEMU_BINARY);
      return { summary: `${c.accel}: ${c.reason}`, values: { accel: c.accel, accelReason: c.reason } };
    },

    async status(req): Promise<StatusResponse> {
      const f = files(req);
      const d = req.driverData as Partial<QemuData>;
      if (!(d.sshPort || d.ip) || !existsSync(f.overlay)) return { status: 'missing', detail: 'no disk' };
      if (!runningPid(f.pidFile)) return { status: 'stopped', detail: 'qemu is not running' };
      try {
        const s = await queryStatus(f.qmpSocket);
        if (s.running) return { status: 'running' };
        if (s.status === 'shutdown') return { status: 'stopped', detail: 'the guest powered off' };
        return { status: 'error', detail: `qemu reports the VM ${s.status}` };
      } catch (e) {
        return { status: 'error', detail: `QMP: ${(e as Error).message}` };
      }
    },

    async address(req): Promise<SshAddress> {
      const at = reach(req, data(req));
      return { host: at.host, port: at.sshPort, user: GUEST_USER, identityFile: machineKeyPath(req.ctx.stateDir, req.machine.name), sudo: true };
    },

    async engineUrl(req): Promise<EngineEndpoint> {
      const at = reach(req, data(req));
      return engineEndpointFor(req.machine, req.ctx.stateDir, at.host, at.enginePort);
    },
  };
  return driver;
}
