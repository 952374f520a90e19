// End to end against the real dockerd through the built CLI: a 10-container project with depends_on and health
// checks, idempotence, targeted replacement, repair of drift, kill -9 mid-apply, destroy.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, mfile, mfileSpawn } from '../helpers/cli.js';
import { cleanupProject, ensureTestImages, labelled } from '../helpers/image.js';

const PORT = 21000 + (process.pid % 900) * 10;
const inspect = (name: string): any => JSON.parse(execFileSync('docker', ['inspect', name], { encoding: 'utf8' }))[0];
const idOf = (name: string): string => inspect(name).Id;

/**
 * The engine's own container events for a project from now on, in the order the engine logged them, as
 * "ACTION NAME" lines: what started, died or turned healthy, and in which order.
 */
function engineEvents(project: string): { lines: () => string[]; until: (line: string) => Promise<void>; stop: () => void } {
  const since = (Date.now() / 1000 - 1).toFixed(3); // replayed from the engine's buffer: nothing is missed before the stream attaches
  const child = spawn('docker', ['events', '--since', since, '--filter', `label=io.mfile.project=${project}`, '--filter', 'type=container', '--format', '{{.Action}} {{.Actor.Attributes.name}}'], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  let out = '';
  const waiters = new Set<() => void>();
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    waiters.forEach((w) => w());
  });
  const lines = (): string[] => out.split('\n').filter(Boolean);
  return {
    lines,
    // Resolves on the stream's own data, not on a polling interval; the caller's assertions say what was missed.
    until(line) {
      return new Promise<void>((resolve) => {
        const check = (): void => {
          if (!lines().includes(line)) return;
          waiters.delete(check);
          resolve();
        };
        waiters.add(check);
        child.once('exit', () => (waiters.delete(check), resolve()));
        check();
      });
    },
    stop: () => child.kill(),
  };
}

const HEALTH = `healthcheck: { test: ["CMD-SHELL", "echo | nc -w 1 127.0.0.1 80"], interval: 300ms, timeout: 2s, retries: 20 }`;

function tenContainers(project: string, over: { workerImage?: string; apiEnv?: string; proxyPort?: number } = {}): string {
  return `version: 1
project: ${project}
machines:
  m1: { driver: local }
networks:
  back: {}
  front: {}
  edge: {}
volumes:
  data: {}
  logs: {}
  static: {}
containers:
  db:
    machine: m1
    image: mfile-test/busybox:1
    command: ["sh", "-c", "touch /tmp/ready; exec httpd -f -p 80 -h /www"]
    healthcheck: { test: ["CMD", "test", "-f", "/tmp/ready"], interval: 300ms, retries: 20 }
    volumes: ["data:/data"]
    networks: { back: { aliases: [database] } }
    init: true
    mem_limit: 64m
    pids_limit: 50
    stop_grace_period: 1s
  cache:
    machine: m1
    image: mfile-test/busybox:1
    command: ["httpd", "-f", "-p", "8080", "-h", "/www"]
    networks: [back]
    cap_drop: [ALL]
    stop_grace_period: 1s
  migrate:
    machine: m1
    image: mfile-test/busybox:1
    command: ["sh", "-c", "echo migrated > /data/migrated"]
    volumes: ["data:/data"]
    depends_on: { db: { condition: service_healthy } }
  api1: &api
    machine: m1
    image: mfile-test/busybox:1
    command: ["httpd", "-f", "-p", "80", "-h", "/www"]
    networks: [back, front]
    environment: { ROLE: api, LEVEL: "1" }
    ${HEALTH}
    depends_on:
      db: { condition: service_healthy }
      migrate: { condition: service_completed_successfully }
    stop_grace_period: 1s
  api2:
    machine: m1
    image: mfile-test/busybox:1
    command: ["httpd", "-f", "-p", "80", "-h", "/www"]
    networks: [back, front]
    environment: { ROLE: api, LEVEL: "${over.apiEnv ?? '2'}" }
    ${HEALTH}
    depends_on:
      db: { condition: service_healthy }
      migrate: { condition: service_completed_successfully }
    stop_grace_period: 1s
  api3:
    machine: m1
    image: mfile-test/busybox:1
    command: ["httpd", "-f", "-p", "80", "-h", "/www"]
    networks: [back, front]
    environment: { ROLE: api, LEVEL: "3" }
    ${HEALTH}
    depends_on: { db: { condition: service_healthy } }
    stop_grace_period: 1s
  web:
    machine: m1
    image: mfile-test/busybox:1
    command: ["httpd", "-f", "-p", "80", "-h", "/www"]
    ports: ["127.0.0.1:${PORT}:80"]
    networks: { front: { aliases: [www] } }
    environment: { MODE: prod }
    labels: { team: shop }
    restart: unless-stopped
    cpus: 0.5
    read_only: true
    tmpfs: [/tmp]
    user: root
    working_dir: /www
    hostname: web-host
    extra_hosts: ["upstream=10.9.8.7"]
    logging: { driver: json-file, options: { max-size: 1m } }
    ulimits: { nofile: { soft: 1024, hard: 2048 } }
    security_opt: [no-new-privileges:true]
    sysctls: { net.core.somaxconn: "512" }
    shm_size: 32m
    stop_signal: SIGTERM
    stop_grace_period: 2s
    ${HEALTH}
    depends_on:
      api1: { condition: service_healthy }
      cache: { condition: service_started }
  worker1:
    machine: m1
    image: ${over.workerImage ?? 'mfile-test/busybox:1'}
    command: ["sleep", "3600"]
    networks: [edge]
    volumes: ["logs:/logs", "static:/static:ro"]
    cap_add: [NET_ADMIN]
    init: true
  worker2:
    machine: m1
    image: mfile-test/busybox:1
    command: ["sleep", "3600"]
    networks: [edge]
    volumes: ["logs:/logs"]
    init: true
  proxy:
    machine: m1
    image: mfile-test/busybox:1
    command: ["httpd", "-f", "-p", "80", "-h", "/www"]
    ports: ["127.0.0.1:${over.proxyPort ?? PORT + 1}:80"]
    networks: [edge, front]
    depends_on: { web: { condition: service_started } }
    stop_grace_period: 1s
`;
}

const NAMES = ['api1', 'api2', 'api3', 'cache', 'db', 'migrate', 'proxy', 'web', 'worker1', 'worker2'];

beforeAll(() => {
  ensureTestImages();
  ensureBuilt();
}, 180_000);

describe('mfile apply on the local engine (10 containers)', () => {
  const project = `mfe${process.pid}`;
  const dir = mkdtempSync(path.join(tmpdir(), 'mfile-e2e-'));
  const file = path.join(dir, 'machines.yml');
  const write = (over: Parameters<typeof tenContainers>[1] = {}): void => writeFileSync(file, tenContainers(project, over));
  const ids = (): Record<string, string> => Object.fromEntries(NAMES.map((n) => [n, idOf(`${project}-${n}`)]));

  afterAll(() => {
    cleanupProject(project);
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates 3 networks, 3 volumes and 10 containers with exactly the declared settings, in depends_on order', async () => {
    write();
    const engine = engineEvents(project);
    const r = mfile(['apply', '-f', file, '-y']);
    expect(r.stderr + r.stdout).toContain('Apply complete!');
    expect(r.code).toBe(0);
    expect(labelled(project)).toEqual({
      containers: NAMES.map((n) => `${project}-${n}`),
      networks: ['back', 'edge', 'front'].map((n) => `${project}_${n}`),
      volumes: ['data', 'logs', 'static'].map((n) => `${project}_${n}`),
    });

    const web = inspect(`${project}-web`);
    expect(web.State.Running).toBe(true);
    expect(web.Config.Image).toBe('mfile-test/busybox:1');
    expect(web.Config.Cmd).toEqual(['httpd', '-f', '-p', '80', '-h', '/www']);
    expect(web.Config.Env).toContain('MODE=prod');
    expect(web.Config.Labels).toMatchObject({ team: 'shop', 'io.mfile.project': project, 'io.mfile.machine': 'm1', 'io.mfile.name': 'web' });
    expect(web.Config.Labels['io.mfile.config-hash']).toMatch(/^[0-9a-f]{64}$/);
    expect(web.HostConfig.PortBindings).toEqual({ '80/tcp': [{ HostIp: '127.0.0.1', HostPort: String(PORT) }] });
    expect(web.HostConfig.RestartPolicy).toEqual({ Name: 'unless-stopped', MaximumRetryCount: 0 });
    expect(web.HostConfig.NanoCpus).toBe(500_000_000);
    expect(web.HostConfig.ReadonlyRootfs).toBe(true);
    expect(web.HostConfig.Tmpfs).toEqual({ '/tmp': '' });
    expect(web.Config.User).toBe('root');
    expect(web.Config.WorkingDir).toBe('/www');
    expect(web.Config.Hostname).toBe('web-host');
    expect(web.HostConfig.ExtraHosts).toEqual(['upstream:10.9.8.7']);
    expect(web.HostConfig.LogConfig).toEqual({ Type: 'json-file', Config: { 'max-size': '1m' } });
    expect(web.HostConfig.Ulimits).toEqual([{ Name: 'nofile', Soft: 1024, Hard: 2048 }]);
    expect(web.HostConfig.SecurityOpt).toEqual(['no-new-privileges:true']);
    expect(web.HostConfig.Sysctls).toEqual({ 'net.core.somaxconn': '512' });
    expect(web.HostConfig.ShmSize).toBe(32 * 1024 * 1024);
    expect(web.Config.StopSignal).toBe('SIGTERM');
    expect(web.Config.StopTimeout).toBe(2);
    expect(web.Config.Healthcheck).toEqual({ Test: ['CMD-SHELL', 'echo | nc -w 1 127.0.0.1 80'], Interval: 300e6, Timeout: 2e9, Retries: 20 });
    expect(Object.keys(web.NetworkSettings.Networks)).toEqual([`${project}_front`]);
    expect(web.NetworkSettings.Networks[`${project}_front`].Aliases).toEqual(expect.arrayContaining(['web', 'www']));

    const db = inspect(`${project}-db`);
    expect(db.State.Health.Status).toBe('healthy');
    expect(db.HostConfig.Memory).toBe(64 * 1024 * 1024);
    expect(db.HostConfig.PidsLimit).toBe(50);
    expect(db.HostConfig.Init).toBe(true);
    expect(db.Mounts.map((m: any) => [m.Type, m.Name, m.Destination])).toEqual([['volume', `${project}_data`, '/data']]);
    expect(db.NetworkSettings.Networks[`${project}_back`].Aliases).toEqual(expect.arrayContaining(['db', 'database']));

    // depends_on conditions held, in the order the engine logged its events
    expect(inspect(`${project}-migrate`).State.ExitCode).toBe(0);
    await engine.until(`start ${project}-proxy`);
    engine.stop();
    const events = engine.lines();
    const at = (action: string, name: string): number => {
      const i = events.indexOf(`${action} ${project}-${name}`);
      expect(i, `${action} ${name} in ${events.join(', ')}`).toBeGreaterThanOrEqual(0);
      return i;
    };
    for (const n of ['migrate', 'api1', 'api2', 'api3']) expect(at('health_status: healthy', 'db')).toBeLessThan(at('start', n));
    for (const n of ['api1', 'api2']) expect(at('die', 'migrate')).toBeLessThan(at('start', n));
    expect(at('health_status: healthy', 'api1')).toBeLessThan(at('start', 'web'));
    expect(at('start', 'cache')).toBeLessThan(at('start', 'web'));
    expect(at('start', 'web')).toBeLessThan(at('start', 'proxy'));

    const w1 = inspect(`${project}-worker1`);
    expect(w1.HostConfig.CapAdd).toEqual(['NET_ADMIN']);
    expect(w1.Mounts.map((m: any) => [m.Name, m.Destination, m.RW]).sort()).toEqual([
      [`${project}_logs`, '/logs', true],
      [`${project}_static`, '/static', false],
    ]);
    expect(inspect(`${project}-cache`).HostConfig.CapDrop).toEqual(['ALL']);
    expect(Object.keys(inspect(`${project}-proxy`).NetworkSettings.Networks).sort()).toEqual([`${project}_edge`, `${project}_front`]);
  }, 180_000);

  it('a second apply has nothing to do: no container is replaced or restarted', () => {
    const started = (): Record<string, string> => Object.fromEntries(NAMES.map((n) => [n, inspect(`${project}-${n}`).State.StartedAt]));
    const [idsBefore, startedBefore] = [ids(), started()];
    const r = mfile(['apply', '-f', file, '-y']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('No changes.');
    expect(ids()).toEqual(idsBefore);
    expect(started()).toEqual(startedBefore);
  }, 60_000);

  it('changing one image, one env value and one port replaces only those three', () => {
    const before = ids();
    write({ workerImage: 'mfile-test/busybox:2', apiEnv: '22', proxyPort: PORT + 2 });
    const plan = mfile(['plan', '-f', file]);
    // a replacement counts as one add and one destroy, as in Terraform
    expect(plan.stdout).toContain('Plan: 3 to add, 0 to change, 3 to destroy.');
    const r = mfile(['apply', '-f', file, '-y']);
    expect(r.code).toBe(0);
    const after = ids();
    const changed = NAMES.filter((n) => before[n] !== after[n]);
    expect(changed).toEqual(['api2', 'proxy', 'worker1']);
    expect(inspect(`${project}-worker1`).Config.Image).toBe('mfile-test/busybox:2');
    expect(inspect(`${project}-api2`).Config.Env).toContain('LEVEL=22');
    expect(inspect(`${project}-proxy`).HostConfig.PortBindings['80/tcp'][0].HostPort).toBe(String(PORT + 2));
    expect(labelled(project).containers).toHaveLength(10);
    expect(mfile(['plan', '-f', file]).stdout).toContain('No changes.');
  }, 120_000);

  it('a container removed with the docker CLI shows in the plan and is repaired', () => {
    execFileSync('docker', ['rm', '-f', `${project}-worker2`], { stdio: 'ignore' });
    const plan = mfile(['plan', '-f', file]);
    expect(plan.stdout).toContain('container.worker2[m1]');
    expect(plan.stdout).toContain('Plan: 1 to add, 0 to change, 0 to destroy.');
    expect(mfile(['apply', '-f', file, '-y']).code).toBe(0);
    expect(inspect(`${project}-worker2`).State.Running).toBe(true);
    expect(mfile(['plan', '-f', file]).stdout).toContain('No changes.');
  }, 120_000);

  it('destroy leaves nothing labelled', () => {
    const r = mfile(['destroy', '-f', file, '-y']);
    expect(r.code).toBe(0);
    expect(labelled(project)).toEqual({ containers: [], networks: [], volumes: [] });
  }, 120_000);
});

describe('kill -9 in the middle of an apply of 30 containers', () => {
  const project = `mfk${process.pid}`;
  const dir = mkdtempSync(path.join(tmpdir(), 'mfile-e2e-'));
  const file = path.join(dir, 'machines.yml');
  const names = Array.from({ length: 30 }, (_, i) => `c${String(i).padStart(2, '0')}`);

  afterAll(() => {
    cleanupProject(project);
    rmSync(dir, { recursive: true, force: true });
  });

  it('converges on the next apply with no duplicate and no orphan', async () => {
    const containers = names
      .map((n) => `  ${n}:\n    machine: m1\n    image: mfile-test/busybox:1\n    command: ["sleep", "3600"]\n    init: true\n    networks: [net]\n    volumes: ["v:/v"]\n`)
      .join('');
    writeFileSync(file, `version: 1\nproject: ${project}\nmachines:\n  m1: { driver: local }\nnetworks:\n  net: {}\nvolumes:\n  v: {}\ncontainers:\n${containers}`);
    const child = mfileSpawn(['apply', '-f', file, '-y', '--parallelism', '4']);
    // Kill as soon as the run reports its fifth container created (at most four more are in flight then), long
    // before all 30 exist: on the run's own progress lines, not a polling interval.
    await new Promise<void>((resolve) => {
      const check = (): void => {
        if ((child.out().match(/ container\.c\d\d\[m1\] created/g) ?? []).length < 5) return;
        child.stdout!.off('data', check);
        child.stderr!.off('data', check);
        resolve();
      };
      // Progress lines go to stderr when stdout is not a terminal; listen to both.
      child.stdout!.on('data', check);
      child.stderr!.on('data', check);
      child.once('exit', () => resolve());
    });
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const partial = labelled(project).containers.length;
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(30);

    // The dead run left its lock: the next apply takes it over, saying so in one line, and converges.
    const r = mfile(['apply', '-f', file, '-y']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr.match(/^Warning: took over the state lock of .+, process \d+ \(apply, .+\): that process is no longer running$/gm), r.stderr).toHaveLength(1);
    const found = labelled(project).containers;
    expect(found).toEqual(names.map((n) => `${project}-${n}`));
    expect(mfile(['plan', '-f', file]).stdout).toContain('No changes.');

    expect(mfile(['destroy', '-f', file, '-y']).code).toBe(0);
    expect(labelled(project)).toEqual({ containers: [], networks: [], volumes: [] });
  }, 240_000);
});
