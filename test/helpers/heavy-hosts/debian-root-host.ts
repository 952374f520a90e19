// A test host with its own Debian root: a network namespace on the heavy-hosts bridge, the cached debootstrap
// root as the lower layer of an overlay (per-host upper), entered with pivot_root in fresh mount, UTS and PID
// namespaces, tini-static as PID 1 and sshd as the only way in. apt's only source is the local repository.
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { HERE } from './cache.js';
import { createNetns, type HeavyNet } from './network.js';
import { alive, childrenOf, pidsInPidNsOf, startBackground, waitForSshBanner } from './processes.js';
import type { Teardown } from './teardown.js';

export interface DebianRootHost {
  name: string;
  ip: string;
  netns: string;
  veth: string;
  identityFile: string;
  /** tini, PID 1 of the host's PID namespace. */
  initPid: number;
  /** Every process of the host right now (host pids). */
  pids(): number[];
}

const SSHD_CONFIG = (ip: string) =>
  [
    `ListenAddress ${ip}:22`,
    'HostKey /etc/ssh/ssh_host_ed25519_key',
    'PidFile /run/sshd.pid',
    'PermitRootLogin prohibit-password',
    'PubkeyAuthentication yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'UsePAM no',
    'MaxSessions 10',
    'Subsystem sftp internal-sftp',
    '',
  ].join('\n');

export async function startDebianRootHost(
  t: Teardown,
  opts: { net: HeavyNet; name: string; ip: string; lowerRoot: string; aptUrl: string; workDir: string },
): Promise<DebianRootHost> {
  const { net, name, ip, workDir } = opts;
  const netns = `mfile-heavy-${name}`;
  const veth = `mfhv-${name}`.slice(0, 15);
  const d = join(workDir, 'host');
  for (const sub of ['upper', 'work', 'merged', 'docker-data']) mkdirSync(join(d, sub), { recursive: true });
  const up = join(d, 'upper');
  // Written straight into the upper layer: the host sees them over the pristine root.
  mkdirSync(join(up, 'etc/ssh'), { recursive: true, mode: 0o755 });
  mkdirSync(join(up, 'etc/apt'), { recursive: true, mode: 0o755 });
  mkdirSync(join(up, 'root/.ssh'), { recursive: true, mode: 0o700 });
  chmodSync(join(up, 'root'), 0o700);
  writeFileSync(join(up, 'etc/hostname'), `${name}\n`);
  writeFileSync(join(up, 'etc/hosts'), `127.0.0.1 localhost\n${ip} ${name}\n`);
  writeFileSync(join(up, 'etc/ssh/sshd_config'), SSHD_CONFIG(ip));
  writeFileSync(join(up, 'etc/apt/sources.list'), `deb [trusted=yes] ${opts.aptUrl} ./\n`);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(up, 'etc/ssh/ssh_host_ed25519_key')]);
  const identityFile = join(workDir, 'id_ed25519');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `mfile-test-${name}`, '-f', identityFile]);
  copyFileSync(`${identityFile}.pub`, join(up, 'root/.ssh/authorized_keys'));
  chmodSync(join(up, 'root/.ssh/authorized_keys'), 0o600);

  createNetns(t, net, netns, veth, ip);
  // Added before the host's processes, so it runs after they are gone (teardown runs newest first).
  t.add(`work folder of ${name}`, () => {
    execFileSync('rm', ['-rf', '--one-file-system', d]);
  });
  // --kill-child: when unshare dies, tini (PID 1) dies and the kernel ends the whole PID namespace with it.
  const unsharePid = startBackground(
    ['nsenter', `--net=/run/netns/${netns}`, 'unshare', '--mount', '--uts', '--pid', '--fork', '--kill-child', '--propagation', 'private', '--',
      '/usr/bin/tini-static', '-s', '--', 'sh', join(HERE, 'init-debian-root.sh'), d, opts.lowerRoot, name],
    join(workDir, 'host-init.log'),
  );
  let initPid = 0;
  for (let i = 0; i < 100 && !initPid; i++) {
    initPid = childrenOf(unsharePid)[0] ?? 0;
    if (!initPid) await sleep(20);
  }
  const seen = new Set<number>();
  const pids = () => {
    const now = initPid ? pidsInPidNsOf(initPid) : [];
    now.forEach((p) => seen.add(p));
    return now;
  };
  t.add(`debian-root host ${name} (unshare pid ${unsharePid})`, async () => {
    pids();
    process.kill(unsharePid, 'SIGKILL');
    const deadline = Date.now() + 20_000;
    while ([unsharePid, ...seen].some(alive)) {
      if (Date.now() > deadline) throw new Error(`processes still alive: ${[unsharePid, ...seen].filter(alive).join(' ')}`);
      await sleep(50);
    }
  });
  if (!initPid) throw new Error(`the host's init did not start; see ${workDir}/host-init.log`);
  await waitForSshBanner(ip, 22, 20_000, () => alive(initPid));
  pids();
  return { name, ip, netns, veth, identityFile, initPid, pids };
}
