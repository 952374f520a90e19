// Helpers for the CLI verbs `mfile ssh NAME [-- CMD]`, `mfile ssh-keys forget NAME`, and the ssh transport
// that src/apply/connections.ts takes as `sshAgent`.
import type { Agent } from 'node:http';
import { rm } from 'node:fs/promises';
import { UsageError } from '../../errors.js';
import type { MachineRecord, MachineSpec, SshAddress, State } from '../../model/index.js';
import { sshConfigPath } from './config-quote.js';
import { sshDockerAgent } from './docker-over-ssh.js';
import { jumpKnownHostsPath, knownHostsFingerprint, knownHostsPath } from './known-hosts.js';
import { sshPool } from './pool.js';
import { quoteArgv } from './shell-quote.js';

/**
 * argv for the system ssh client: `-i KEY`, strict host key checking against a known_hosts file holding only
 * the pinned key (and the same for a jump host). `--` ends the options before the destination, and a host or
 * user read back from the state that starts with '-' is refused, so no value can become an ssh option. The
 * remote command, if any, is quoted here so its words arrive as given.
 */
export function sshArgv(record: MachineRecord, stateDir: string, command: string[] = []): string[] {
  const a = record.ssh;
  if (!a) throw new UsageError(`machine ${record.name} (driver ${record.driver}) has no SSH address`);
  checkDestination(record.name, a);
  if (a.jump) checkDestination(record.name, a.jump, 'jump ');
  const kh = pinnedKnownHosts(knownHostsPath(stateDir, record.name), record.hostKeyFingerprint, `machine ${record.name} has no pinned host key yet`);
  const argv = strictSsh(a, kh);
  if (a.jump) {
    // The jump leg as its own strict ssh: `-J` would check the jump host against ~/.ssh/known_hosts instead of
    // the pinned key. ssh expands %h and %p to the target's host and port.
    const jkh = pinnedKnownHosts(jumpKnownHostsPath(stateDir, record.name), record.jumpHostKeyFingerprint, `machine ${record.name} has no pinned key for its jump host yet`);
    argv.push('-o', `ProxyCommand=${quoteArgv([...strictSsh(a.jump, jkh), '-W', '%h:%p', '--', `${a.jump.user}@${a.jump.host}`])}`);
  }
  argv.push('--', `${a.user}@${a.host}`);
  if (command.length) argv.push(quoteArgv(command));
  return argv;
}

/** A host or user the state holds that ssh would take as an option (a tampered or hand-edited state). */
function checkDestination(machine: string, a: SshAddress, what = ''): void {
  for (const [key, v] of [['host', a.host], ['user', a.user]] as const) {
    if (typeof v !== 'string' || v === '' || v.startsWith('-')) {
      throw new UsageError(`machine ${machine}: the state's SSH ${what}${key} ${JSON.stringify(v)} is not a valid ${key} (starts with '-' or is empty): refusing to run ssh`);
    }
  }
}

/** The known_hosts file, checked to hold the pinned key. */
function pinnedKnownHosts(path: string, pinned: string | undefined, missing: string): string {
  if (!pinned || knownHostsFingerprint(path) !== pinned) throw new UsageError(`${missing}: run mfile apply first`);
  return path;
}

/** ssh with only this known_hosts file trusted, the address's port and its identity file. */
function strictSsh(a: SshAddress, knownHosts: string): string[] {
  const argv = [
    'ssh',
    '-o', 'StrictHostKeyChecking=yes',
    // Quoted: ssh splits an option's value into words, and a project folder may have a space in its name.
    '-o', `UserKnownHostsFile=${sshConfigPath(knownHosts)}`,
    '-o', 'GlobalKnownHostsFile=/dev/null',
    '-p', String(a.port),
  ];
  if (a.identityFile) argv.push('-i', a.identityFile, '-o', 'IdentitiesOnly=yes');
  return argv;
}

/** Forget a machine's pinned host key, so the next apply pins the key it offers (`mfile ssh-keys forget`). */
export async function forgetHostKey(state: State, stateDir: string, name: string): Promise<State> {
  const r = state.machines[name];
  if (!r) throw new UsageError(`no machine named ${name} in the state`);
  delete r.hostKeyFingerprint;
  delete r.jumpHostKeyFingerprint;
  // A driver that made the host key (sandbox) records its fingerprint too, and apply expects that one first.
  if (r.driverData) delete r.driverData.hostKeyFingerprint;
  await rm(knownHostsPath(stateDir, name), { force: true });
  await rm(jumpKnownHostsPath(stateDir, name), { force: true });
  return state;
}

/**
 * The `sshAgent` option of createConnections: an http.Agent over the machine's pooled SSH connection,
 * for engines with transport ssh.
 */
export function sshTransport(state: () => State) {
  return async (machine: MachineSpec, endpoint: { kind: string; socketPath?: string }): Promise<Agent> => {
    const r = state().machines[machine.name];
    if (!r?.ssh) throw new UsageError(`machine ${machine.name} has no SSH address in the state`);
    const session = await sshPool().get({
      machine: machine.name,
      address: r.ssh,
      pinnedFingerprint: r.hostKeyFingerprint,
      pinnedJumpFingerprint: r.jumpHostKeyFingerprint,
      timeoutMs: 20_000,
    });
    return sshDockerAgent(session, endpoint.socketPath ?? '/var/run/docker.sock');
  };
}
