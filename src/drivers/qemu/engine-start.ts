// The engine after a boot: systemd starts the docker unit with the guest; this makes sure it was started and
// waits until it answers where the controller reaches it (the forwarded TLS port). Not through the Docker socket
// over SSH: mfile logs in as a user with sudo, and sshd opens forwarded sockets with that user's rights.
import { DriverError } from '../../errors.js';
import { factsCommand, startDockerCommand } from '../../remote/provision/commands.js';
import { parseFacts } from '../../remote/provision/facts.js';
import { waitForEngine } from '../../remote/provision/wait-engine.js';
import { createTlsDockerClient } from '../../remote/tls/docker-tls.js';
import type { MachineRequest } from '../driver.js';
import { engineService, pinnedSession, type EngineTarget } from '../engine-service.js';

export async function startEngine(req: MachineRequest, target: EngineTarget, at: { host: string; enginePort: number }): Promise<void> {
  const name = req.machine.name;
  if (req.machine.engine.transport !== 'tcp') return engineService(req, target, 'start');
  const session = await pinnedSession(req, target, 120_000);
  const facts = parseFacts((await session.exec(factsCommand())).stdout);
  if (!facts.dockerd) throw new DriverError(name, 'Docker is not installed on the machine: run mfile apply');
  if (!facts.running) {
    req.ctx.log?.(`${name}: starting the Docker service`);
    await session.exec(startDockerCommand(facts.systemd, facts.dockerd));
  }
  await waitForEngine(name, createTlsDockerClient(req.ctx.stateDir, at.host, at.enginePort), `${at.host}:${at.enginePort}`, {
    signal: req.ctx.signal,
    timeoutMs: 300_000,
  });
}
