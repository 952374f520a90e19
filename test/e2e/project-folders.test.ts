// Sandbox machines work from any project folder, as a user drives them with the built CLI: apply, `mfile ssh`,
// `mfile env` with the real docker CLI, and destroy, with the project below /root, /tmp, /var/lib or /srv, in a
// folder whose name has a space, and behind a symlink into /root. The machine's init mounts its own /run,
// /root, /tmp, /var/log and Docker folders, so a machine folder below one of them (or reached through a link
// into one) used to vanish under those mounts. This file is also the reliability suite's cover of that matrix.
// Needs root, docker.io, openssh-server, tini, iproute2, iptables.
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeNeeding, SANDBOX } from '../helpers/prerequisites.js';
import { sandboxDriver, type SandboxData } from '../../src/drivers/sandbox/index.js';
import { alive } from '../../src/drivers/sandbox/processes.js';
import type { State } from '../../src/model/index.js';
import { ensureBuilt, mfile, MFILE_BIN, REPO_ROOT } from '../helpers/cli.js';
import { claimedAddresses, processesMentioning } from '../reliability/helpers/sandbox-leftovers.js';

// A subnet of this file's own, so its bridge comes and goes with its machines only.
const SUBNET = '10.213.67.0/24';
const IMAGE = 'mfile-demo/busybox:1';
const ID = randomBytes(3).toString('hex');

interface Folder {
  label: string;
  /** The project folder as the user names it (a symlink for one case). */
  dir: string;
  machine: string;
  /** Folders this test made, removed afterwards. */
  tops: string[];
  /** For the symlinked case: where the link points. */
  target?: string;
}

const top = (parent: string): string => path.join(parent, `mfile-folders-${ID}`);
const FOLDERS: Folder[] = [
  { label: '/root/x', dir: path.join(top('/root'), 'x'), machine: 'pf-root', tops: [top('/root')] },
  { label: '/tmp/x', dir: path.join(top('/tmp'), 'x'), machine: 'pf-tmp', tops: [top('/tmp')] },
  { label: '/home/u/My Project', dir: path.join(top('/home'), 'My Project'), machine: 'pf-space', tops: [top('/home')] },
  { label: '/var/lib/x', dir: path.join(top('/var/lib'), 'x'), machine: 'pf-varlib', tops: [top('/var/lib')] },
  { label: '/srv/x', dir: path.join(top('/srv'), 'x'), machine: 'pf-srv', tops: [top('/srv')] },
  {
    label: 'a symlink in /srv to a folder in /root',
    dir: path.join(top('/srv'), 'link'),
    target: path.join(top('/root'), 'linked'),
    machine: 'pf-link',
    tops: [top('/srv'), top('/root')],
  },
];

function config(f: Folder): string {
  return `version: 1
project: ${f.machine}
machines:
  ${f.machine}: { driver: sandbox, sandbox: { subnet: ${SUBNET} } }
containers:
  web:
    machine: ${f.machine}
    image: ${IMAGE}
    command: ["httpd", "-f", "-p", "80", "-h", "/www"]
    stop_grace_period: 1s
`;
}

const fileOf = (f: Folder): string => path.join(f.dir, 'machines.yml');
const stateDirOf = (f: Folder): string => path.join(f.dir, '.mfile');
const stateOf = (f: Folder): State => JSON.parse(readFileSync(path.join(stateDirOf(f), 'state.json'), 'utf8')) as State;
// -f right after the verb: after `ssh NAME --` it would be part of the remote command.
const cli = (f: Folder, args: string[]) => mfile([args[0], '-f', fileOf(f), ...args.slice(1)], { cwd: f.dir, timeoutMs: 300_000 });

/** The docker CLI in a shell that ran `eval "$(mfile env NAME)"`, as the README tells a user to. */
function dockerViaEnv(f: Folder, args: string[]) {
  const script = 'eval "$("$NODE" "$MFILE" env -f "$CFG" "$MACHINE")" && exec docker "$@"';
  return spawnSync('bash', ['-c', script, 'bash', ...args], {
    cwd: f.dir,
    encoding: 'utf8',
    timeout: 60_000,
    env: {
      ...process.env,
      CI: 'true',
      NODE: process.execPath,
      MFILE: MFILE_BIN,
      CFG: fileOf(f),
      MACHINE: f.machine,
      DOCKER_CONFIG: path.join(f.tops[0], 'docker-cli'),
    },
  });
}

describeNeeding(SANDBOX)('sandbox machines from any project folder', () => {
  beforeAll(() => {
    ensureBuilt();
    execFileSync('bash', [path.join(REPO_ROOT, 'scripts/make-busybox-image.sh'), IMAGE]);
    for (const f of FOLDERS) {
      for (const t of f.tops) mkdirSync(t, { recursive: true, mode: 0o700 });
      if (f.target) {
        mkdirSync(f.target, { recursive: true });
        symlinkSync(f.target, f.dir);
      } else {
        mkdirSync(f.dir, { recursive: true });
      }
      writeFileSync(fileOf(f), config(f));
    }
  });

  afterAll(async () => {
    for (const f of FOLDERS) {
      if (!existsSync(path.join(stateDirOf(f), 'state.json'))) continue;
      if (Object.keys(stateOf(f).machines).length) cli(f, ['destroy', '-y']);
      // Best effort when destroy failed too: never leave a namespace or an init behind.
      for (const [name, rec] of Object.entries(stateOf(f).machines)) {
        const machine = { name, driver: 'sandbox', driverOptions: { subnet: SUBNET } } as never;
        await sandboxDriver()
          .remove({ machine, driverData: rec.driverData, ctx: { stateDir: stateDirOf(f), project: f.machine } })
          .catch(() => undefined);
      }
    }
    for (const t of new Set(FOLDERS.flatMap((f) => f.tops))) rmSync(t, { recursive: true, force: true });
  });

  describe.each(FOLDERS)('project in $label', (f) => {
    it('apply creates the machine and runs the container on it', () => {
      const r = cli(f, ['apply', '-y']);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(r.stdout).toContain('Apply complete!');
    });

    it('mfile ssh runs a command on the machine', () => {
      const r = cli(f, ['ssh', f.machine, '--', 'hostname']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout.trim()).toBe(f.machine);
    });

    it('the docker CLI reaches its engine through mfile env', () => {
      const r = dockerViaEnv(f, ['ps', '--format', '{{.Names}} {{.Image}}']);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout.trim()).toBe(`${f.machine}-web ${IMAGE}`);
    });

    it('destroy removes the machine and leaves no namespace, process, address or folder', () => {
      const d = stateOf(f).machines[f.machine].driverData as unknown as SandboxData;
      const r = cli(f, ['destroy', '-y']);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(Object.keys(stateOf(f).machines)).toEqual([]);
      expect(execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })).not.toContain(d.netns);
      expect([d.initPid, d.outerPid].filter((p) => alive(p))).toEqual([]);
      expect(processesMentioning(f.dir)).toEqual([]);
      expect(claimedAddresses(stateDirOf(f))).toEqual([]);
      expect(existsSync(path.join(stateDirOf(f), 'machines', f.machine))).toBe(false);
    });
  });
});
