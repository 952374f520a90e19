// The power verbs on a sandbox machine, driven through the built CLI: stop holds the machine stopped (status,
// ls, plan and apply all respect the hold), start brings dockerd and sshd back at the same address with the
// same pinned key and a `restart: always` container runs again; restart and kill. Needs root, docker.io,
// openssh-server, tini, iproute2, iptables.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { cliProject, type CliProject } from '../helpers/cli-project.js';
import { ensureBuilt, REPO_ROOT } from '../helpers/cli.js';
import { describeNeeding, SANDBOX } from '../helpers/prerequisites.js';

const IMAGE = 'mfile-demo/busybox:1';

function config(extra = ''): string {
  return `version: 1
project: lcsbx
machines:
  box: { driver: sandbox, sandbox: { subnet: 10.213.70.0/24 } }
containers:
  web:
    machine: box
    image: ${IMAGE}
    command: ["httpd", "-f", "-p", "80", "-h", "/www"]
    restart: always
    stop_grace_period: 1s
${extra}`;
}

const EXTRA = `  more:
    machine: box
    image: ${IMAGE}
    command: ["httpd", "-f", "-p", "81", "-h", "/www"]
    stop_grace_period: 1s
`;

describeNeeding(SANDBOX)('mfile start, stop, restart and kill on a sandbox machine', () => {
  let p: CliProject;
  const running = (): string[] => {
    const r = p.docker('box', ['ps', '--format', '{{.Names}}']);
    expect(r.status, r.stderr).toBe(0);
    return r.stdout.trim().split('\n').filter(Boolean).sort();
  };
  const status = (): string => p.run(['status', 'box']).stdout.trim();

  beforeAll(() => {
    ensureBuilt();
    execFileSync('bash', [path.join(REPO_ROOT, 'scripts/make-busybox-image.sh'), IMAGE]);
    p = cliProject('lcsbx');
    p.write(config());
    const r = p.run(['apply', '-y']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
  });

  afterAll(() => {
    if (p) p.run(['destroy', '-y']);
  });

  it('stop: status says Stopped, ls names the hold, and the state records it', () => {
    expect(status()).toBe('Running');
    const r = p.run(['stop', 'box']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Stopped box');
    expect(status()).toBe('Stopped');
    const ls = p.run(['ls']);
    expect(ls.stdout).toMatch(/box\s+sandbox\s+stopped.*held stopped by 'mfile stop' at /);
    expect(p.state().machines.box.hold?.verb).toBe('stop');
  });

  it('a held machine: plan shows the hold and does not count its changes; apply leaves it stopped', () => {
    p.write(config(EXTRA));
    const plan = p.run(['plan']);
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toMatch(/machine\.box: held stopped by 'mfile stop' at \S+: left stopped \(mfile start box resumes\)/);
    expect(plan.stdout).toContain("machine box is held stopped: 1 change on it waits for 'mfile start box'");
    expect(plan.stdout).toContain('No changes.');
    const apply = p.run(['apply', '-y']);
    expect(apply.code, apply.stdout + apply.stderr).toBe(0);
    expect(status()).toBe('Stopped');
    expect(p.state().objects['container.more[box]']).toBeUndefined();
  });

  it('start: same address and pinned key, the restart: always container runs again; then apply applies what waited', () => {
    const before = p.state().machines.box;
    const r = p.run(['start', 'box']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(status()).toBe('Running');
    const after = p.state().machines.box;
    expect(after.hold).toBeUndefined();
    expect(after.ssh?.host).toBe(before.ssh?.host);
    expect(after.hostKeyFingerprint).toBe(before.hostKeyFingerprint);
    expect(running()).toEqual(['lcsbx-web']);
    const apply = p.run(['apply', '-y']);
    expect(apply.code, apply.stdout + apply.stderr).toBe(0);
    expect(running()).toEqual(['lcsbx-more', 'lcsbx-web']);
  });

  it('restart: the machine comes back running with its containers', () => {
    const r = p.run(['restart', 'box']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(status()).toBe('Running');
    expect(running()).toContain('lcsbx-web');
    expect(p.state().machines.box.hold).toBeUndefined();
  });

  it('kill: stopped at once and held, named by its verb; start brings it back', () => {
    const r = p.run(['kill', 'box']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(status()).toBe('Stopped');
    expect(p.state().machines.box.hold?.verb).toBe('kill');
    expect(p.run(['plan']).stdout).toContain("held stopped by 'mfile kill'");
    const s = p.run(['start', 'box']);
    expect(s.code, s.stdout + s.stderr).toBe(0);
    expect(status()).toBe('Running');
    expect(running()).toContain('lcsbx-web');
  });

  it('several machines at once: each failure is named, exit 1', () => {
    const r = p.run(['stop', 'box', 'nosuch']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('no machine named nosuch');
    expect(status()).toBe('Running');
  });
});
