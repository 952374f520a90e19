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
import { sshPool } from '../remote/ssh/pool.js';
import type { SshSession } from '../remote/ssh/session.js';
import type { MachineRequest } from './driver.js';

export type EngineOperation = 'start' | 'stop' | 'restart' | 'kill';

export interface EngineTarget {
  address: SshAddress;
  /** The keys pinned in the state: a power verb never makes a first contact. */
  hostKeyFingerprint?: string;
  jumpHostKeyFingerprint?: string;
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
export async function engineService(req: MachineRequest, target: EngineTarget, op: EngineOperation): Promise<void> {
  const name = req.machine.name;
  const session = await pinnedSession(req, target);
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
  if (op === 'start' && facts.running) return;
  req.ctx.log?.(`${name}: ${op === 'start' ? 'starting' : 'restarting'} the Docker service`);
  if (op === 'restart') {
    await session.exec(facts.systemd ? ['systemctl', 'restart', 'docker'] : supervisedRestartCommand(facts.dockerd));
  } else {
    await session.exec(startDockerCommand(facts.systemd, facts.dockerd));
  }
  // Through the socket over SSH: it answers whatever transport the engine serves to the controller.
  await waitForEngine(name, createSshDockerClient(session, DOCKER_SOCKET), `${target.address.host}:${DOCKER_SOCKET}`, {
    signal: req.ctx.signal,
    diagnostics: async () => (await session.exec(engineLogTailCommand(facts.systemd), { check: false })).stdout,
  });
}
