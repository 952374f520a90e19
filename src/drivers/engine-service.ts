// The Docker service of a provisioned machine, driven over its pinned SSH connection: what `mfile start`,
// `stop`, `restart` and `kill` do to the engine (systemd's docker unit, or the supervised dockerd provisioning
// starts on hosts without systemd).
import { DriverError } from '../errors.js';
import type { SshAddress } from '../model/index.js';
import {
  engineLogTailCommand,
  factsCommand,
  killDockerdCommand,
  startDockerCommand,
  stopDockerServiceCommand,
  supervisedRestartCommand,
} from '../remote/provision/commands.js';
import { parseFacts } from '../remote/provision/facts.js';
import { DOCKER_SOCKET } from '../remote/provision/paths.js';
import { waitForEngine } from '../remote/provision/wait-engine.js';
import { createSshDockerClient } from '../remote/ssh/docker-over-ssh.js';
import { createTlsDockerClient } from '../remote/tls/docker-tls.js';
import { sshPool } from '../remote/ssh/pool.js';
import type { SshSession } from '../remote/ssh/session.js';
import type { MachineRequest } from './driver.js';

export type EngineOperation = 'start' | 'stop' | 'restart' | 'kill';

export interface EngineTarget {
  address: SshAddress;
  /** The keys pinned in the state: a power verb never makes a first contact. */
  hostKeyFingerprint?: string;
  jumpHostKeyFingerprint?: string;
  /** Where the controller reaches a TCP engine when not at the SSH host's engine.port (a VM's forwarded port). */
  engineHost?: string;
  enginePort?: number;
}

export interface EngineServiceTimeouts {
  sshMs?: number;
  engineMs?: number;
}

/** The machine's SSH connection, refused without a pinned host key. */
export async function pinnedSession(req: MachineRequest, target: EngineTarget, timeoutMs = 30_000): Promise<SshSession> {
  const name = req.machine.name;
  if (!target.hostKeyFingerprint || (target.address.jump && !target.jumpHostKeyFingerprint)) {
    throw new DriverError(name, 'no host key pinned for it yet: run mfile apply first');
  }
  return sshPool().get({
    machine: name,
    address: target.address,
    pinnedFingerprint: target.hostKeyFingerprint,
    pinnedJumpFingerprint: target.jumpHostKeyFingerprint,
    requirePin: true,
    timeoutMs,
    signal: req.ctx.signal,
  });
}

/** Runs one power operation on the Docker service; start and restart wait until the engine answers. */
export async function engineService(req: MachineRequest, target: EngineTarget, op: EngineOperation, timeouts: EngineServiceTimeouts = {}): Promise<void> {
  const name = req.machine.name;
  const session = await pinnedSession(req, target, timeouts.sshMs);
  const facts = parseFacts((await session.exec(factsCommand())).stdout);
  if (!facts.dockerd) throw new DriverError(name, 'Docker is not installed on the machine: run mfile apply');
  if (op === 'stop') {
    req.ctx.log?.(`${name}: stopping the Docker service`);
    await session.exec(stopDockerServiceCommand(facts.systemd));
    return;
  }
  if (op === 'kill') {
    req.ctx.log?.(`${name}: killing dockerd`);
    await session.exec(killDockerdCommand(facts.systemd));
    return;
  }
  if (op === 'restart') {
    req.ctx.log?.(`${name}: restarting the Docker service`);
    await session.exec(facts.systemd ? ['systemctl', 'restart', 'docker'] : supervisedRestartCommand(facts.dockerd));
  } else if (!facts.running) {
    req.ctx.log?.(`${name}: starting the Docker service`);
    await session.exec(startDockerCommand(facts.systemd, facts.dockerd));
  }
  // Even when it was running already: a unit systemd just started may not answer yet (a VM after its boot).
  // Where the controller talks to it: a TCP engine over mutual TLS, as provisioning waits for it. Not through
  // the socket over SSH then: sshd opens a forwarded socket with the login user's rights, and a user with sudo
  // (cloud images, non-root servers) may not open the Docker socket.
  const tcp = req.machine.engine.transport === 'tcp';
  const host = target.engineHost ?? target.address.host;
  const port = target.enginePort ?? req.machine.engine.port;
  const docker = tcp ? createTlsDockerClient(req.ctx.stateDir, host, port) : createSshDockerClient(session, DOCKER_SOCKET);
  await waitForEngine(name, docker, tcp ? `${host}:${port}` : `${target.address.host}:${DOCKER_SOCKET}`, {
    signal: req.ctx.signal,
    ...(timeouts.engineMs ? { timeoutMs: timeouts.engineMs } : {}),
    diagnostics: async () => (await session.exec(engineLogTailCommand(facts.systemd), { check: false })).stdout,
  });
}
