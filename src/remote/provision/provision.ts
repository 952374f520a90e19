// Provision a machine's Docker engine over its SSH session: install when missing, write daemon.json and the
// server certificate, (re)start dockerd, wait until it answers. Idempotent: the engine.hash marker and the
// certificate checksum say whether anything must change; an unchanged config never restarts the daemon.
import { createHash } from 'node:crypto';
import type Docker from 'dockerode';
import type { EngineEndpoint } from '../../model/engine-endpoint.js';
import type { MachineSpec } from '../../model/index.js';
import { createSshDockerClient } from '../ssh/docker-over-ssh.js';
import type { SshSession } from '../ssh/session.js';
import { createTlsDockerClient } from '../tls/docker-tls.js';
import { clientCertPaths, ensureServerCert, serverSans } from '../tls/store.js';
import {
  engineLogTailCommand,
  factsCommand,
  mkdirCommand,
  registryCaDirsCommand,
  supervisedRestartCommand,
  systemdDropinContent,
  systemdDropinDirCommand,
  systemdRestartCommands,
} from './commands.js';
import { daemonJsonText } from './daemon-json.js';
import { parseFacts, type HostFacts } from './facts.js';
import { installDocker } from './install-docker.js';
import type { OsInfo } from './os-release.js';
import { waitForEngine } from './wait-engine.js';
import {
  DAEMON_JSON,
  DOCKER_SOCKET,
  ENGINE_HASH_FILE,
  REMOTE_CA,
  REMOTE_CERT,
  REMOTE_KEY,
  SYSTEMD_DROPIN,
  registryCaPath,
} from './paths.js';

export interface ProvisionRequest {
  machine: MachineSpec;
  session: SshSession;
  stateDir: string;
  /** Where the controller reaches the engine (the machine's address); also a SAN of the server cert. */
  engineHost: string;
  /** The port the controller reaches the engine on, when not engine.port (a VM's forwarded port). */
  enginePort?: number;
  /** engineConfigHash(machine), written to the marker once the daemon runs with this config. */
  engineHash: string;
  log?: (line: string) => void;
  signal?: AbortSignal;
  engineTimeoutMs?: number;
  /** The host's facts, already asked for on this session (they only read the host). */
  facts?: Promise<string>;
}

/** Ask for the host's facts now (read only), e.g. while the caller pins its host key; give them to provisionEngine. */
export function askFacts(session: SshSession): Promise<string> {
  const p = session.exec(factsCommand()).then((r) => r.stdout);
  p.catch(() => undefined);
  return p;
}

export interface ProvisionResult {
  os: OsInfo;
  installed: boolean;
  /** Configuration files were (re)written. */
  wrote: boolean;
  /** dockerd was started (it was stopped, or the config changed). */
  started: boolean;
  /** A running dockerd was restarted because its config changed. */
  restarted: boolean;
  endpoint: EngineEndpoint;
  engineUrl: string;
  dockerVersion: string;
}

export function engineEndpointFor(machine: MachineSpec, stateDir: string, host: string, port = machine.engine.port): EngineEndpoint {
  return machine.engine.transport === 'ssh'
    ? { kind: 'ssh', socketPath: DOCKER_SOCKET }
    : { kind: 'tcp', host, port, tls: clientCertPaths(stateDir) };
}

export function engineUrlFor(machine: MachineSpec, host: string, port = machine.engine.port): string {
  return machine.engine.transport === 'ssh' ? `ssh://${host}${DOCKER_SOCKET}` : `tcp://${host}:${port}`;
}

export async function provisionEngine(req: ProvisionRequest): Promise<ProvisionResult> {
  const { machine, session } = req;
  const name = machine.name;
  const tcp = machine.engine.transport === 'tcp';
  let facts: HostFacts = parseFacts(await (req.facts ?? askFacts(session)));
  let installed = false;
  if (!facts.dockerd) {
    facts = { ...facts, dockerd: await installDocker(session, machine, facts, req.log) };
    installed = true;
  }

  // Known stale without the certificate (a new host has no marker): its folders are made, and the SFTP channel
  // opened, while the certificate is read or signed, instead of one round trip after another.
  const staleConfig = facts.hash !== req.engineHash || (facts.systemd && !facts.dropin);
  const dirs = staleConfig ? session.exec(mkdirCommand()) : undefined;
  dirs?.catch(() => undefined);
  if (staleConfig && !session.address.sudo) session.sftp().catch(() => undefined);
  const certs = tcp
    ? await ensureServerCert(
        req.stateDir,
        name,
        serverSans(name, [req.engineHost, facts.hostname], machine.tls.san),
      )
    : undefined;
  const certsum = certs ? createHash('sha256').update(certs.ca).update(certs.cert).digest('hex') : facts.certsum;
  const stale = staleConfig || (tcp && facts.certsum !== certsum);

  if (stale) {
    req.log?.(`${name}: writing daemon.json${tcp ? ' and TLS certificates' : ''}`);
    await (dirs ?? session.exec(mkdirCommand()));
    const writes: Promise<void>[] = [session.writeFile(DAEMON_JSON, daemonJsonText(machine), 0o644)];
    if (certs) {
      // Key before certificate: the checksum covers CA + certificate only, so a run cut off in between leaves a
      // checksum that differs and the next run writes the pair again, instead of a daemon with a torn pair.
      await session.writeFile(REMOTE_KEY, certs.key, 0o600);
      writes.push(session.writeFile(REMOTE_CA, certs.ca, 0o644), session.writeFile(REMOTE_CERT, certs.cert, 0o644));
    }
    const cas = Object.entries(machine.engine.registryCas ?? {}).sort(([a], [b]) => (a < b ? -1 : 1));
    if (cas.length) {
      await session.exec(registryCaDirsCommand(cas.map(([a]) => a)));
      for (const [address, pem] of cas) writes.push(session.writeFile(registryCaPath(address), pem, 0o644));
    }
    if (facts.systemd) {
      await session.exec(systemdDropinDirCommand());
      writes.push(session.writeFile(SYSTEMD_DROPIN, systemdDropinContent(facts.dockerd), 0o644));
    }
    await Promise.all(writes);
  }

  const start = stale || !facts.running;
  if (start) {
    req.log?.(`${name}: ${facts.running ? 'restarting' : 'starting'} dockerd`);
    if (facts.systemd) for (const argv of systemdRestartCommands()) await session.exec(argv);
    else await session.exec(supervisedRestartCommand(facts.dockerd));
  }

  const docker: Docker = tcp
    ? createTlsDockerClient(req.stateDir, req.engineHost, req.enginePort ?? machine.engine.port)
    : createSshDockerClient(session, DOCKER_SOCKET);
  const where = engineUrlFor(machine, req.engineHost, req.enginePort);
  await waitForEngine(name, docker, where, {
    timeoutMs: req.engineTimeoutMs,
    signal: req.signal,
    diagnostics: async () => (await session.exec(engineLogTailCommand(facts.systemd), { check: false })).stdout,
  });
  // The marker goes last: a daemon that never came up with this config is retried on the next run.
  const [version] = await Promise.all([
    docker.version(),
    stale ? session.exec(['sh', '-c', 'umask 022 && printf "%s\\n" "$1" > "$2"', 'sh', req.engineHash, ENGINE_HASH_FILE]) : undefined,
  ]);
  return {
    os: facts.os,
    installed,
    wrote: stale,
    started: start,
    restarted: start && facts.running,
    endpoint: engineEndpointFor(machine, req.stateDir, req.engineHost, req.enginePort),
    engineUrl: where,
    dockerVersion: version.Version,
  };
}
