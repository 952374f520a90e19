// The host half as a user drives it: `mfile apply` on three sandbox machines creates and provisions them at
// once and runs containers on each; the docker CLI works through `mfile env` and is refused without the client
// certificate; a second apply changes nothing and restarts nothing; an engine label restarts one daemon;
// destroy leaves nothing behind. Needs root, docker.io, openssh-server, tini, iproute2, iptables.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync, copyFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeNeeding, SANDBOX } from '../helpers/prerequisites.js';
import { ensureBuilt, mfile, REPO_ROOT } from '../helpers/cli.js';

const MACHINES = ['web-1', 'web-2', 'db-1'];

function config(webLabel: string): string {
  return `version: 1
project: sbxcli
machines:
  web-1: { driver: sandbox, sandbox: { subnet: 10.213.42.0/24 }, engine: { labels: { role: web } } }
  web-2: { driver: sandbox, sandbox: { subnet: 10.213.42.0/24 }, engine: { labels: { role: ${webLabel} } } }
  db-1: { driver: sandbox, sandbox: { subnet: 10.213.42.0/24 }, engine: { labels: { role: db } } }
networks:
  backend: {}
containers:
  web:
    machines: [web-1, web-2]
    image: mfile-demo/busybox:1
    command: ["httpd", "-f", "-p", "80", "-h", "/www"]
    ports: ["8080:80"]
    stop_grace_period: 1s
  db:
    machine: db-1
    image: mfile-demo/busybox:1
    command: ["httpd", "-f", "-p", "5432", "-h", "/www"]
    networks: [backend]
    stop_grace_period: 1s
    healthcheck: { test: ["CMD-SHELL", "echo | nc -w 1 127.0.0.1 5432"], interval: 1s, retries: 20 }
`;
}

describeNeeding(SANDBOX)('mfile apply on three sandbox machines', () => {
  let dir = '';
  let stateFile = '';
  const run = (args: string[], timeoutMs = 300_000) => mfile([args[0], '-f', 'machines.yml', ...args.slice(1)], { cwd: dir, timeoutMs });
  const envOf = (m: string): Record<string, string> => {
    const r = run(['env', m]);
    expect(r.code, r.stderr).toBe(0);
    const vars: Record<string, string> = {};
    for (const [, k, v] of r.stdout.matchAll(/^export (\w+)=(?:'([^']*)'|(\S*))$/gm)) vars[k] = v;
    for (const m2 of r.stdout.matchAll(/^export (\w+)=(\S+)$/gm)) vars[m2[1]] = vars[m2[1]] || m2[2].replace(/^'|'$/g, '');
    return vars;
  };
  const docker = (m: string, args: string[], env: Record<string, string> = envOf(m)) =>
    spawnSync('docker', args, { encoding: 'utf8', timeout: 30_000, env: { ...process.env, ...env, DOCKER_CONFIG: path.join(dir, '.docker') } });
  const dockerdPid = (m: string): string => {
    const r = run(['ssh', m, '--', 'cat', '/var/run/docker.pid'], 30_000);
    expect(r.code, r.stderr).toBe(0);
    return r.stdout.trim();
  };
  const netnsOf = (m: string): string => JSON.parse(readFileSync(stateFile, 'utf8')).machines[m].driverData.netns;

  beforeAll(() => {
    ensureBuilt();
    execFileSync('bash', [path.join(REPO_ROOT, 'scripts/make-busybox-image.sh'), 'mfile-demo/busybox:1']);
    const base = path.join(REPO_ROOT, '.test-work');
    mkdirSync(base, { recursive: true, mode: 0o700 });
    dir = mkdtempSync(path.join(base, 'sbxcli-'));
    stateFile = path.join(dir, '.mfile/state.json');
    writeFileSync(path.join(dir, 'machines.yml'), config('web'));
  });

  afterAll(() => {
    if (existsSync(stateFile)) run(['destroy', '-y']);
  });

  it('creates and provisions the three machines at once and runs the containers on each', () => {
    const r = run(['apply', '-y', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const events = r.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { id: string; status: string; time: number });
    const machineEvents = events.filter((e) => /^machine\.[^/]+$/.test(e.id));
    const firstDone = Math.min(...machineEvents.filter((e) => e.status === 'done').map((e) => e.time));
    const started = new Set(machineEvents.filter((e) => e.status === 'running' && e.time <= firstDone).map((e) => e.id));
    expect([...started].sort()).toEqual(MACHINES.map((m) => `machine.${m}`).sort());
    for (const m of MACHINES) {
      const ps = docker(m, ['ps', '--format', '{{.Names}} {{.Image}}']);
      expect(ps.status, ps.stderr).toBe(0);
      expect(ps.stdout).toContain(m === 'db-1' ? 'sbxcli-db mfile-demo/busybox:1' : 'sbxcli-web mfile-demo/busybox:1');
    }
  });

  it('the image on each machine is the local one, copied with its ID', () => {
    const localId = execFileSync('docker', ['image', 'inspect', '-f', '{{.Id}}', 'mfile-demo/busybox:1'], { encoding: 'utf8' }).trim();
    for (const m of MACHINES) expect(docker(m, ['image', 'inspect', '-f', '{{.Id}}', 'mfile-demo/busybox:1']).stdout.trim()).toBe(localId);
  });

  it('refuses a client without the certificate', () => {
    const env = envOf('web-1');
    const plain = docker('web-1', ['version'], { DOCKER_HOST: env.DOCKER_HOST, DOCKER_TLS_VERIFY: '', DOCKER_CERT_PATH: '' });
    expect(plain.status).not.toBe(0);
    // TLS with the right CA but no client certificate of its own
    const caOnly = path.join(dir, 'ca-only');
    mkdirSync(caOnly, { recursive: true });
    copyFileSync(path.join(env.DOCKER_CERT_PATH, 'ca.pem'), path.join(caOnly, 'ca.pem'));
    const noCert = spawnSync('docker', ['--tlsverify', '--tlscacert', path.join(caOnly, 'ca.pem'), '-H', env.DOCKER_HOST, 'version'], { encoding: 'utf8', timeout: 30_000 });
    expect(noCert.status).not.toBe(0);
    expect(noCert.stderr).toMatch(/certificate|tls|handshake/i);
  });

  it('a second apply prints "No changes." and restarts no daemon and no container', () => {
    const pids = MACHINES.map(dockerdPid);
    const started = MACHINES.map((m) => docker(m, ['ps', '-q', '--no-trunc']).stdout.trim().split('\n').map((id) => docker(m, ['inspect', '-f', '{{.State.StartedAt}}', id]).stdout.trim()));
    const r = run(['apply', '-y']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('No changes.');
    expect(MACHINES.map(dockerdPid)).toEqual(pids);
    const after = MACHINES.map((m) => docker(m, ['ps', '-q', '--no-trunc']).stdout.trim().split('\n').map((id) => docker(m, ['inspect', '-f', '{{.State.StartedAt}}', id]).stdout.trim()));
    expect(after).toEqual(started);
  });

  it("an engine label change restarts only that machine's daemon", () => {
    const before = Object.fromEntries(MACHINES.map((m) => [m, dockerdPid(m)]));
    writeFileSync(path.join(dir, 'machines.yml'), config('frontend'));
    const plan = run(['plan']);
    expect(plan.stdout).toContain('engine config changed (labels) - daemon restart');
    expect(plan.stdout).toContain('Plan: 0 to add, 1 to change, 0 to destroy.');
    const r = run(['apply', '-y']);
    expect(r.code, r.stderr).toBe(0);
    expect(dockerdPid('web-2')).not.toBe(before['web-2']);
    expect(dockerdPid('web-1')).toBe(before['web-1']);
    expect(dockerdPid('db-1')).toBe(before['db-1']);
    expect(docker('web-2', ['info', '-f', '{{json .Labels}}']).stdout).toContain('role=frontend');
  });

  it('mfile ls shows the three machines running', () => {
    const r = run(['ls']);
    expect(r.code, r.stderr).toBe(0);
    for (const m of MACHINES) expect(r.stdout).toMatch(new RegExp(`^${m}\\s+sandbox\\s+running\\s+tcp://10\\.213\\.42\\.\\d+:2376`, 'm'));
  });

  it('destroy leaves no namespace, process or bridge', () => {
    const state = JSON.parse(readFileSync(stateFile, 'utf8'));
    const netns = MACHINES.map(netnsOf);
    const pids = MACHINES.flatMap((m) => [state.machines[m].driverData.initPid, state.machines[m].driverData.outerPid]).filter(Boolean) as number[];
    const bridge: string = state.machines['web-1'].driverData.bridge;
    const r = run(['destroy', '-y']);
    expect(r.code, r.stderr).toBe(0);
    const list = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });
    for (const ns of netns) expect(list).not.toContain(ns);
    for (const pid of pids) expect(existsSync(`/proc/${pid}/status`) && !/State:\s+Z/.test(readFileSync(`/proc/${pid}/status`, 'utf8'))).toBe(false);
    expect(existsSync(`/sys/class/net/${bridge}`)).toBe(false);
    expect(readFileSync('/proc/mounts', 'utf8')).not.toContain(dir);
    expect(Object.keys(JSON.parse(readFileSync(stateFile, 'utf8')).machines)).toEqual([]);
  });
});
