// sandbox: a machine on this Linux box that looks like a fresh remote server. Own network namespace with an
// address on a bridge mfile creates, own hostname, /run, /etc/docker, /var/lib/docker and /var/log, and its
// own sshd as the only way in. Docker is installed (the box's docker.io) but not running: provisioning starts it.
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { DriverError } from '../../errors.js';
import type { SshAddress } from '../../model/index.js';
import { engineEndpointFor } from '../../remote/provision/provision.js';
import { machineDir } from '../../remote/tls/store.js';
import { sshPool } from '../../remote/ssh/pool.js';
import type { CreateResponse, Driver, EngineEndpoint, MachineRequest, StatusResponse } from '../driver.js';
import { engineService } from '../engine-service.js';
import { identityFile, prepareMachineDir } from './files.js';
import { allocateIp, createNetns, deleteNetns, releaseIp, releaseIpsOf, removeBridgeIfUnused } from './network.js';
import { sandboxNames, sandboxOptions } from './options.js';
import { alive, startInit, stopMachine, stopStrayInits, TINI } from './processes.js';
import { sandboxTraits } from './traits.js';

export interface SandboxData {
  ip: string;
  subnet: string;
  netns: string;
  bridge: string;
  veth: string;
  initPid?: number;
  outerPid?: number;
  /** Known at create time (mfile made the host key), so even the first contact is verified. */
  hostKeyFingerprint: string;
}

const BINARIES: [string, string][] = [
  ['/usr/sbin/dockerd', 'docker.io'],
  ['/usr/sbin/sshd', 'openssh-server'],
  ['/usr/bin/ssh-keygen', 'openssh-client'],
  ['/usr/sbin/ip', 'iproute2'],
  ['/usr/sbin/iptables', 'iptables'],
  ['/usr/bin/nsenter', 'util-linux'],
];

let binariesFound = false;

function data(req: MachineRequest): SandboxData {
  const d = req.driverData as Partial<SandboxData>;
  if (!d.ip || !d.netns) throw new DriverError(req.machine.name, 'sandbox machine has not been created');
  return d as SandboxData;
}

function owner(req: MachineRequest): string {
  return `${req.ctx.stateDir}\0${req.machine.name}`;
}

function dirOf(req: MachineRequest): string {
  return machineDir(req.ctx.stateDir, req.machine.name);
}

/**
 * True when something answers on IP:22 with an SSH banner within the time. A dead sshd refuses at once; the time
 * only bounds a slow one, and sshd re-executes itself per connection, which took over 1.5 s on a loaded box
 * (a no-op plan then called a healthy machine broken).
 */
export function sshAnswers(ip: string, timeoutMs = 10_000): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: ip, port: 22, timeout: timeoutMs });
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.once('data', (b: Buffer) => done(b.toString('latin1').startsWith('SSH-')));
    s.once('timeout', () => done(false));
    s.once('error', () => done(false));
  });
}

async function teardown(req: MachineRequest, d: Partial<SandboxData>): Promise<void> {
  const name = req.machine.name;
  const opts = sandboxOptions(req.machine);
  const n = sandboxNames(req.ctx.stateDir, name, opts);
  await stopMachine(d.initPid, d.outerPid, 5000);
  // A create killed between starting the init and saving its pids leaves one the record does not name.
  await stopStrayInits(dirOf(req));
  await deleteNetns(name, n);
  if (d.ip) await releaseIp(opts, d.ip, owner(req));
  else await releaseIpsOf(opts, owner(req));
  await removeBridgeIfUnused(name, n);
}

export function sandboxDriver(): Driver {
  const driver: Driver = {
    name: sandboxTraits.name,
    traits: sandboxTraits,

    async preCreateCheck(req) {
      const name = req.machine.name;
      sandboxOptions(req.machine);
      if (process.getuid?.() !== 0) throw new DriverError(name, 'the sandbox driver needs root (network namespaces, mounts)');
      if (binariesFound) return;
      for (const [bin, pkg] of BINARIES) {
        if (!existsSync(bin)) throw new DriverError(name, `${bin} is missing: apt-get install ${pkg}`);
      }
      if (!TINI.some((p) => existsSync(p))) throw new DriverError(name, 'tini is missing: apt-get install tini');
      // Once per run: a plan of 1,000 new machines looked for the same seven programs 7,000 times.
      binariesFound = true;
    },

    async create(req): Promise<CreateResponse> {
      await driver.preCreateCheck(req);
      const name = req.machine.name;
      const opts = sandboxOptions(req.machine);
      const n = sandboxNames(req.ctx.stateDir, name, opts);
      const dir = dirOf(req);
      const partial: Partial<SandboxData> = { subnet: opts.subnet, netns: n.netns, bridge: n.bridge, veth: n.veth };
      try {
        partial.ip = await allocateIp(name, owner(req), opts);
        req.ctx.log?.(`${name}: address ${partial.ip} on ${n.bridge}`);
        // An earlier create of this machine killed before its pids were saved: its init would outlive the netns.
        await stopStrayInits(dir);
        const [fp] = await Promise.all([prepareMachineDir(name, dir, partial.ip), createNetns(name, n, partial.ip)]);
        partial.hostKeyFingerprint = fp;
        Object.assign(partial, await startInit(name, dir, n.netns, name));
      } catch (e) {
        await teardown(req, partial).catch(() => undefined);
        throw e;
      }
      return { driverData: { ...partial } };
    },

    // Stop and kill end the machine's processes (dockerd, containerd, containers, sshd) and keep its namespace,
    // address and folder; start runs the init again (same host key) and the dockerd provisioning configured.
    async start(req) {
      const d = data(req);
      if (!alive(d.initPid)) {
        const n = sandboxNames(req.ctx.stateDir, req.machine.name, sandboxOptions(req.machine));
        if (!existsSync(`/run/netns/${n.netns}`)) throw new DriverError(req.machine.name, 'sandbox namespace is gone: recreate the machine');
        await sshPool().drop(req.machine.name);
        Object.assign(req.driverData, await startInit(req.machine.name, dirOf(req), n.netns, req.machine.name));
      }
      // Before the first provisioning there is no engine to start: apply does that.
      if (!req.prior?.hostKeyFingerprint) return;
      const address = (await driver.address(req))!;
      await engineService(req, { address, hostKeyFingerprint: d.hostKeyFingerprint }, 'start');
    },

    async stop(req) {
      const d = data(req);
      await sshPool().drop(req.machine.name);
      await stopMachine(d.initPid, d.outerPid);
    },

    async restart(req) {
      await driver.stop(req);
      await driver.start(req);
    },

    async kill(req) {
      const d = data(req);
      await sshPool().drop(req.machine.name);
      await stopMachine(d.initPid, d.outerPid, 0);
    },

    async remove(req) {
      const d = req.driverData as Partial<SandboxData>;
      await teardown(req, d);
      // The machine's disk: root/ with /var/lib/docker, its keys and certificates.
      await rm(dirOf(req), { recursive: true, force: true });
    },

    async status(req): Promise<StatusResponse> {
      const d = req.driverData as Partial<SandboxData>;
      if (!d.netns || !existsSync(`/run/netns/${d.netns}`)) return { status: 'missing', detail: 'no network namespace' };
      if (!alive(d.initPid)) return { status: 'stopped', detail: 'init is not running' };
      if (!(await sshAnswers(d.ip!))) return { status: 'error', detail: `sshd does not answer on ${d.ip}:22` };
      return { status: 'running' };
    },

    async address(req): Promise<SshAddress> {
      const d = data(req);
      return { host: d.ip, port: 22, user: 'root', identityFile: identityFile(dirOf(req)) };
    },

    async engineUrl(req): Promise<EngineEndpoint> {
      const d = data(req);
      return engineEndpointFor(req.machine, req.ctx.stateDir, d.ip);
    },
  };
  return driver;
}
