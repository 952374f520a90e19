// Swarm mode from machines.yml on three sandbox machines (1 manager, 2 workers), through the built CLI: a
// 3-replica service (dnsrr, host-mode port) on an overlay network with a secret and a config; a global service
// with one task per node; scaling and drift; workers promoted to managers and one demoted back; a rolling image
// update (the config rotated by content with it) during which, at every poll, at least two machines answer; an
// update whose health check fails rolls back by itself and fails apply by name; a manager removed from the file
// is drained, demoted and leaves; destroy leaves no swarm. A node gone by hand is planned in
// test/plan/swarm-plan.test.ts (a rejoin here costs CI time). This kernel has no IPVS: dnsrr and mode: host
// ports (see testbed.md).
import { request } from 'node:http';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { cliProject, type CliProject } from '../helpers/cli-project.js';
import { ensureBuilt, mfileSpawn } from '../helpers/cli.js';
import { ensureTestImages, TEST_IMAGE, TEST_IMAGE_2 } from '../helpers/image.js';
import { describeNeeding, SANDBOX } from '../helpers/prerequisites.js';

const SUBNET = '10.213.160.0/24';
const MACHINES = ['m1', 'w1', 'w2'];
const HEALTH = 'healthcheck: { test: ["CMD-SHELL", "echo | nc -w 1 127.0.0.1 80"], interval: 500ms, timeout: 2s, retries: 3 }';
const FAILING = 'healthcheck: { test: ["CMD", "false"], interval: 500ms, timeout: 2s, retries: 1 }';

interface Shape {
  webImage?: string;
  webReplicas?: number;
  apiReplicas?: number;
  health?: string;
  workers?: string[];
  /** Workers promoted to managers. */
  promoted?: string[];
}

function config(s: Shape = {}): string {
  const workers = s.workers ?? ['w1', 'w2'];
  return `version: 1
project: swtest
swarm: { default_addr_pool: [10.213.168.0/22], subnet_size: 24 }
machines:
  m1: { driver: sandbox, sandbox: { subnet: ${SUBNET} }, swarm: { role: manager } }
${workers.map((w) => `  ${w}: { driver: sandbox, sandbox: { subnet: ${SUBNET} }, swarm: { role: ${s.promoted?.includes(w) ? 'manager' : 'worker'} } }`).join('\n')}
networks:
  back: { driver: overlay, attachable: true }
secrets:
  token: { file: ./token.txt }
configs:
  site: { file: ./site.txt }
services:
  web:
    image: ${s.webImage ?? TEST_IMAGE}
    command: ["sh", "-c", "cat /run/secrets/token > /www/token && exec httpd -f -p 80 -h /www"]
    ports: [{ target: 80, published: 8080, mode: host }]
    networks: [back]
    secrets: [token]
    configs: [{ source: site, target: /www/site.txt }]
    ${s.health ?? HEALTH}
    stop_grace_period: 1s
    deploy:
      replicas: ${s.webReplicas ?? 3}
      endpoint_mode: dnsrr
      placement: { max_replicas_per_node: 1 }
      update_config: { parallelism: 1, failure_action: rollback, monitor: 2s, order: stop-first }
      rollback_config: { parallelism: 0, failure_action: pause }
  api:
    image: ${TEST_IMAGE}
    command: ["sleep", "3600"]
    networks: [back]
    stop_grace_period: 1s
    deploy: { replicas: ${s.apiReplicas ?? 3}, endpoint_mode: dnsrr }
  agent:
    image: ${TEST_IMAGE}
    command: ["sleep", "3600"]
    stop_grace_period: 1s
    deploy: { mode: global, endpoint_mode: dnsrr }
`;
}

/** One HTTP GET with a short timeout: the body, or undefined when the machine does not answer. */
function get(host: string, p = '/'): Promise<string | undefined> {
  return new Promise((resolve) => {
    const req = request({ host, port: 8080, path: p, timeout: 1000 }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve(res.statusCode === 200 ? body : undefined));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
    req.end();
  });
}

describeNeeding(SANDBOX)('swarm from machines.yml on three sandbox machines', () => {
  let p: CliProject;
  const ips = new Map<string, string>();
  const ip = (m: string): string => ips.get(m) ?? ips.set(m, p.state().machines[m].ssh!.host).get(m)!;
  const manager = (args: string[]): string => {
    const r = p.docker('m1', args);
    expect(r.status, r.stderr).toBe(0);
    return r.stdout.trim();
  };
  const answers = (machines: string[], path_ = '/'): Promise<(string | undefined)[]> => Promise.all(machines.map((m) => get(ip(m), path_)));
  const runningTasks = (service: string): number => manager(['service', 'ps', '--filter', 'desired-state=running', '--format', '{{.CurrentState}}', `swtest_${service}`]).split('\n').filter((l) => l.startsWith('Running')).length;
  /** The nodes the global service's running tasks are on, sorted (one line per task). */
  const agentNodes = (): string[] => manager(['service', 'ps', '--filter', 'desired-state=running', '--format', '{{.Node}} {{.CurrentState}}', 'swtest_agent']).split('\n').filter((l) => / Running/.test(l)).map((l) => l.split(' ')[0]).sort();
  const nodeHostnames = (): string[] => manager(['node', 'ls', '--format', '{{.Hostname}}']).split('\n').sort();
  const configNames = (): string[] => manager(['config', 'ls', '--filter', 'label=io.mfile.project=swtest', '--format', '{{.Name}}']).split('\n').filter(Boolean);

  beforeAll(() => {
    ensureBuilt();
    ensureTestImages();
    p = cliProject('swarm');
    writeFileSync(path.join(p.dir, 'token.txt'), 's3cret-token-1\n');
    writeFileSync(path.join(p.dir, 'site.txt'), 'site config 1\n');
    p.write(config());
    const r = p.run(['apply', '-y'], { timeoutMs: 600_000 });
    expect(r.code, r.stdout + r.stderr).toBe(0);
  }, 900_000);

  afterAll(() => {
    if (p) p.run(['destroy', '-y'], { timeoutMs: 600_000 });
  }, 900_000);

  it('apply makes the swarm: one manager, two workers; web runs on every machine with its secret and config; the global service one task per node; a second plan has no changes', async () => {
    expect(manager(['node', 'ls', '--filter', 'role=manager', '--format', '{{.ManagerStatus}}'])).toBe('Leader');
    expect(manager(['node', 'ls', '--filter', 'role=worker', '-q']).split('\n')).toHaveLength(2);
    expect(manager(['info', '--format', '{{.Swarm.NodeAddr}}'])).toBe(ip('m1'));
    expect(manager(['info', '--format', '{{.Swarm.Cluster.DefaultAddrPool}}'])).toBe('[10.213.168.0/22]');
    expect(manager(['network', 'inspect', 'swtest_back', '--format', '{{.Driver}} {{.Attachable}}'])).toBe('overlay true');
    expect(runningTasks('web')).toBe(3);
    // Run by the image's content id, so a task never pulls the name from a registry (a stranger's image of that
    // name, or a wait for a registry out of reach); `docker service inspect` still names it.
    const id = manager(['image', 'inspect', '--format', '{{.Id}}', TEST_IMAGE]);
    expect(id).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(manager(['service', 'inspect', '--format', '{{.Spec.TaskTemplate.ContainerSpec.Image}} {{index .Spec.Labels "io.mfile.image"}}', 'swtest_web'])).toBe(`${id} ${TEST_IMAGE}`);
    expect(await answers(MACHINES)).toEqual(MACHINES.map(() => 'mfile test 1\n'));
    expect(await answers(MACHINES, '/token')).toEqual(MACHINES.map(() => 's3cret-token-1\n'));
    // The config from a file, read in each task at its target.
    expect(await answers(MACHINES, '/site.txt')).toEqual(MACHINES.map(() => 'site config 1\n'));
    expect(configNames()).toHaveLength(1);
    expect(agentNodes()).toEqual(nodeHostnames());
    const plan = p.run(['plan']);
    expect(plan.stdout).toContain('No changes.');
    // The join tokens never reach the state or the output.
    const tokens = [manager(['swarm', 'join-token', '-q', 'worker']), manager(['swarm', 'join-token', '-q', 'manager'])];
    for (const t of tokens) expect(JSON.stringify(p.state()) + plan.stdout).not.toContain(t);
  });

  it('scales api to 5; a hand scaling to 2 shows in the plan as drift and apply repairs it', () => {
    p.write(config({ apiReplicas: 5 }));
    const r = p.run(['apply', '-y'], { timeoutMs: 600_000 });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout + r.stderr).toContain('api 5/5 running');
    expect(runningTasks('api')).toBe(5);
    manager(['service', 'scale', '--detach', 'swtest_api=2']);
    const plan = p.run(['plan']);
    expect(plan.stdout).toContain('replicas changed outside mfile: 2 -> 5');
    expect(p.run(['apply', '-y'], { timeoutMs: 600_000 }).code).toBe(0);
    expect(runningTasks('api')).toBe(5);
  });

  it('a machine holding other content under the image\'s name fails apply at once, naming it; once that copy is removed, apply puts the image back and converges', () => {
    const w1 = (args: string[]): string => {
      const r = p.docker('w1', args);
      expect(r.status, r.stderr).toBe(0);
      return r.stdout.trim();
    };
    // Another image under the same name on w1, as a stale or hand-made copy would be.
    w1(['create', '--name', 'swtest-stale', TEST_IMAGE, 'true']);
    w1(['commit', '-c', 'LABEL stale=1', 'swtest-stale', TEST_IMAGE]);
    w1(['rm', 'swtest-stale']);
    const good = manager(['image', 'inspect', '--format', '{{.Id}}', TEST_IMAGE]);
    const stale = w1(['image', 'inspect', '--format', '{{.Id}}', TEST_IMAGE]);
    expect(stale).not.toBe(good);
    p.write(config({ apiReplicas: 4 }));
    let r = p.run(['apply', '-y'], { timeoutMs: 600_000 });
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toContain(`service api: image ${TEST_IMAGE} is not the same on every machine of the swarm (m1 has ${good.slice(0, 19)}, w1 has ${stale.slice(0, 19)})`);
    expect(runningTasks('api')).toBe(5);

    w1(['image', 'rm', TEST_IMAGE]);
    expect(p.run(['plan']).stdout).toMatch(/# image\.\S+\[w1\] will be created\n\s*# \(a swarm service runs it: not on the machine\)/);
    r = p.run(['apply', '-y'], { timeoutMs: 600_000 });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(w1(['image', 'inspect', '--format', '{{.Id}}', TEST_IMAGE])).toBe(good);
    expect(runningTasks('api')).toBe(4);
    p.write(config({ apiReplicas: 5 }));
    expect(p.run(['apply', '-y'], { timeoutMs: 600_000 }).code).toBe(0);
    expect(runningTasks('api')).toBe(5);
  });

  it('workers promoted to managers and one demoted back: docker node ls over the machine\'s own endpoint shows the role', () => {
    p.write(config({ apiReplicas: 5, promoted: ['w1', 'w2'] }));
    expect(p.run(['plan']).stdout).toMatch(/swarm\.w1[\s\S]*role worker -> manager \(promote\)/);
    let r = p.run(['apply', '-y'], { timeoutMs: 600_000 });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout + r.stderr).toContain('promoted');
    // Only a manager answers `docker node ls`: w1 itself lists itself as a reachable manager.
    const ls = p.docker('w1', ['node', 'ls', '--filter', 'role=manager', '--format', '{{.Self}} {{.ManagerStatus}}']);
    expect(ls.status, ls.stderr).toBe(0);
    expect(ls.stdout.trim().split('\n').sort()).toEqual(['false Leader', 'false Reachable', 'true Reachable']);
    expect(p.run(['plan']).stdout).toContain('No changes.');

    // w2 stays a manager: it leaves the file as one below.
    p.write(config({ apiReplicas: 5, promoted: ['w2'] }));
    r = p.run(['apply', '-y'], { timeoutMs: 600_000 });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout + r.stderr).toContain('demoted');
    expect(manager(['node', 'ls', '--filter', 'role=manager', '--format', '{{.ManagerStatus}}']).split('\n').sort()).toEqual(['Leader', 'Reachable']);
    const refused = p.docker('w1', ['node', 'ls']);
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toContain('not a swarm manager');
    expect(p.run(['plan']).stdout).toContain('No changes.');
  });

  it('a rolling image update, parallelism 1, with the config rotated: at every poll at least two machines answer; then all serve the new image and config', async () => {
    const oldConfigs = configNames();
    writeFileSync(path.join(p.dir, 'site.txt'), 'site config 2\n');
    p.write(config({ apiReplicas: 5, webImage: TEST_IMAGE_2, promoted: ['w2'] }));
    expect(p.run(['plan']).stdout).toContain('content changed: a new version');
    const child = mfileSpawn(['apply', '-y', '-f', 'machines.yml'], { cwd: p.dir });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    let done = false;
    void exited.then(() => (done = true));
    const counts: number[] = [];
    // Bounded: at most 600 polls of the three machines, and only while apply runs.
    for (let i = 0; i < 600 && !done; i++) counts.push((await answers(MACHINES)).filter((a) => a !== undefined).length);
    const code = await exited;
    expect(code, child.out()).toBe(0);
    expect(child.out()).toContain('web 3/3 running');
    expect(counts.length).toBeGreaterThan(0);
    expect(Math.min(...counts)).toBeGreaterThanOrEqual(2);
    expect(await answers(MACHINES)).toEqual(MACHINES.map(() => 'mfile test 2\n'));
    expect(await answers(MACHINES, '/site.txt')).toEqual(MACHINES.map(() => 'site config 2\n'));
    // A new name for the new content; the old one is gone once no task uses it.
    const now = configNames();
    expect(now).toHaveLength(1);
    expect(now).not.toEqual(oldConfigs);
  }, 600_000);

  it('an update whose health check fails is rolled back by the engine, and apply names the failure', async () => {
    p.write(config({ apiReplicas: 5, webImage: TEST_IMAGE_2, health: FAILING, promoted: ['w2'] }));
    const r = p.run(['apply', '-y'], { timeoutMs: 600_000 });
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toContain('service web: the update failed and the engine rolled it back');
    expect(await answers(MACHINES)).toEqual(MACHINES.map(() => 'mfile test 2\n'));
    // The file back as it was: the rolled-back service already matches it.
    p.write(config({ apiReplicas: 5, webImage: TEST_IMAGE_2, promoted: ['w2'] }));
    expect(p.run(['plan']).stdout).toContain('No changes.');
  });

  it('a manager removed from the file is drained, demoted, leaves, and is removed from the swarm', async () => {
    p.write(config({ apiReplicas: 5, webImage: TEST_IMAGE_2, webReplicas: 2, workers: ['w1'] }));
    const plan = p.run(['plan']);
    expect(plan.stdout).toMatch(/swarm\.w2[\s\S]*drain, demote, leave, and remove the node through m1/);
    const r = p.run(['apply', '-y'], { timeoutMs: 600_000 });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout + r.stderr).toContain('drained, left and removed');
    expect(manager(['node', 'ls', '--format', '{{.Hostname}}']).split('\n')).toHaveLength(2);
    expect(manager(['node', 'ls', '--filter', 'role=manager', '-q']).split('\n')).toHaveLength(1);
    // The drained tasks are rescheduled by the swarm on its own time, which a loaded computer stretches (a task
    // that fails to start waits out its restart delay): bounded by a deadline, not by a count of look-ups.
    const replicas = (): string => manager(['service', 'ls', '--filter', 'name=swtest_api', '--format', '{{.Replicas}}']);
    const deadline = Date.now() + 120_000;
    while (replicas() !== '5/5' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    expect(replicas(), manager(['service', 'ps', '--no-trunc', '--format', '{{.Node}} {{.DesiredState}} {{.CurrentState}} {{.Error}}', 'swtest_api']).split('\n').join('; ')).toBe('5/5');
    expect(p.state().machines.w2).toBeUndefined();
    expect(agentNodes()).toEqual(nodeHostnames());
  }, 600_000);

  it('destroy of the swarm leaves no swarm state on any machine', () => {
    const r = p.run(['destroy', '-y', '--target', 'service.*', '--target', 'swarm*'], { timeoutMs: 600_000 });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    for (const m of ['m1', 'w1']) {
      const info = p.docker(m, ['info', '--format', '{{.Swarm.LocalNodeState}}']);
      expect(info.stdout.trim()).toBe('inactive');
      const nets = p.docker(m, ['network', 'ls', '--filter', 'label=io.mfile.project=swtest', '--format', '{{.Name}}']);
      expect(nets.stdout.trim()).toBe('');
    }
    expect(p.state().swarm).toBeUndefined();
  });
});
