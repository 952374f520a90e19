// inspect, ip, url, scp and rm on a sandbox machine through the built CLI: inspect has the fields a user looks
// for and no secret; scp copies a file and a folder both ways over the pinned connection; rm -y removes the
// machine and its containers (and warns that machines.yml still names it). Needs root, docker.io,
// openssh-server, tini, iproute2, iptables.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { cliProject, type CliProject } from '../helpers/cli-project.js';
import { ensureBuilt, REPO_ROOT } from '../helpers/cli.js';
import { describeNeeding, SANDBOX } from '../helpers/prerequisites.js';

const IMAGE = 'mfile-demo/busybox:1';
const SECRET = `Sekr3t-${process.pid}-${Math.floor(Math.random() * 1e9)}`;
const ENV = { MFILE_VAR_token: SECRET };

const CONFIG = `version: 1
project: mibx
variables:
  token: { sensitive: true }
machines:
  box:
    driver: sandbox
    sandbox: { subnet: 10.213.71.0/24 }
    engine: { labels: { role: web, token: "\${token}" } }
containers:
  web:
    machine: box
    image: ${IMAGE}
    command: ["httpd", "-f", "-p", "80", "-h", "/www"]
    stop_grace_period: 1s
`;

describeNeeding(SANDBOX)('mfile inspect, ip, url, scp and rm on a sandbox machine', () => {
  let p: CliProject;
  const run = (args: string[]) => p.run(args, { env: ENV });

  beforeAll(() => {
    ensureBuilt();
    execFileSync('bash', [path.join(REPO_ROOT, 'scripts/make-busybox-image.sh'), IMAGE]);
    p = cliProject('mibx');
    p.write(CONFIG);
    const r = run(['apply', '-y']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
  });

  afterAll(() => {
    if (p && existsSync(p.stateFile)) run(['destroy', '-y']);
  });

  it('ip and url print the address and the engine URL the state records', () => {
    const rec = p.state().machines.box;
    const ip = run(['ip', 'box']);
    expect(ip.code, ip.stderr).toBe(0);
    expect(ip.stdout.trim()).toMatch(/^10\.213\.71\.\d+$/);
    expect(ip.stdout.trim()).toBe(rec.ssh?.host);
    const url = run(['url', 'box']);
    expect(url.stdout.trim()).toBe(`tcp://${ip.stdout.trim()}:2376`);
  });

  it('inspect: driver, options, IP, SSH endpoint, engine URL, TLS files, engine options, state; no secret', () => {
    const r = run(['inspect', 'box']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout + r.stderr).not.toContain(SECRET);
    const info = JSON.parse(r.stdout);
    expect(info.driver).toBe('sandbox');
    expect(info.driverOptions).toEqual({ subnet: '10.213.71.0/24' });
    expect(info.ip).toMatch(/^10\.213\.71\.\d+$/);
    expect(info.ssh).toMatchObject({ host: info.ip, port: 22, user: 'root' });
    expect(info.engineUrl).toBe(`tcp://${info.ip}:2376`);
    for (const k of ['ca', 'clientCert', 'clientKey', 'serverCert', 'serverKey']) expect(existsSync(info.tls[k]), k).toBe(true);
    expect(info.engineOptions.labels).toEqual({ role: 'web', token: '(sensitive)' });
    expect(info.state).toBe('Running');
    expect(info.hold).toBeNull();
  });

  it('scp copies a file and a folder to the machine and back', () => {
    const local = path.join(p.dir, 'payload');
    mkdirSync(path.join(local, 'sub'), { recursive: true });
    writeFileSync(path.join(local, 'a.txt'), 'alpha\n');
    writeFileSync(path.join(local, 'sub', 'b.txt'), 'beta\n');
    const one = run(['scp', path.join(local, 'a.txt'), 'box:/tmp/a-copy.txt']);
    expect(one.code, one.stderr).toBe(0);
    expect(run(['ssh', 'box', '--', 'cat', '/tmp/a-copy.txt']).stdout).toBe('alpha\n');
    const noR = run(['scp', local, 'box:/tmp/']);
    expect(noR.code).toBe(1);
    expect(noR.stderr).toContain('use -r');
    const dir = run(['scp', '-r', local, 'box:/tmp/']);
    expect(dir.code, dir.stderr).toBe(0);
    expect(run(['ssh', 'box', '--', 'cat', '/tmp/payload/sub/b.txt']).stdout).toBe('beta\n');

    const back = path.join(p.dir, 'back');
    mkdirSync(back);
    const file = run(['scp', 'box:/tmp/a-copy.txt', path.join(back, 'a.txt')]);
    expect(file.code, file.stderr).toBe(0);
    expect(readFileSync(path.join(back, 'a.txt'), 'utf8')).toBe('alpha\n');
    const folder = run(['scp', '-r', 'box:/tmp/payload', back]);
    expect(folder.code, folder.stderr).toBe(0);
    expect(readFileSync(path.join(back, 'payload', 'sub', 'b.txt'), 'utf8')).toBe('beta\n');
  });

  it('rm refuses without a terminal unless -y; rm -y removes the machine and its containers, and warns', () => {
    const refused = run(['rm', 'box']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('pass -y');
    expect(p.state().machines.box).toBeDefined();
    const netns = p.state().machines.box.driverData.netns as string;
    const r = run(['rm', '-y', 'box']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stderr).toContain('box is still in machines.yml: the next mfile apply creates it again');
    const state = p.state();
    expect(state.machines.box).toBeUndefined();
    expect(Object.keys(state.objects)).toEqual([]);
    expect(execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })).not.toContain(netns);
    expect(existsSync(path.join(p.dir, '.mfile', 'machines', 'box'))).toBe(false);
  });
});
