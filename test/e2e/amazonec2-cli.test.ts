// driver amazonec2 end to end, as a user drives it, against the fake EC2 (every request checked against the
// botocore model) whose instances are real namespace hosts with sshd on 10.213.150.0/24: apply launches the
// instance, logs in with the machine's key, provisions Docker with mutual TLS and runs a container; destroy leaves
// no instance, key pair or security group. Faults: mfile killed between RunInstances and its state write (the
// rerun adopts the instance: no duplicate), and an instance that never runs (tainted; the rerun replaces it);
// stop and start map to the instance actions and bring the engine back.
// Needs root, docker.io, openssh-server, tini, iproute2, iptables.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import type { State } from '../../src/model/index.js';
import { ensureBuilt, REPO_ROOT } from '../helpers/cli.js';
import { describeNeeding, SANDBOX } from '../helpers/prerequisites.js';
import { ec2TestEnv } from '../contracts/ec2/ec2-env.js';
import { FakeEc2, SECRET_ACCESS_KEY } from '../contracts/ec2/fake-ec2.js';
import { mfileAsync } from '../contracts/ec2/mfile-async.js';
import { namespaceHosts } from '../contracts/ec2/namespace-hosts.js';

const IMAGE = 'mfile-demo/busybox:1';

const config = (waitTimeout = 120): string => `version: 1
project: ec2e2e
machines:
  web:
    driver: amazonec2
    amazonec2: { instance_type: t3.small, ssh_user: root, engine_sources: [10.213.150.0/24], wait_timeout: ${waitTimeout}, tags: { team: e2e } }
containers:
  hello:
    machine: web
    image: ${IMAGE}
    command: ["httpd", "-f", "-p", "80", "-h", "/www"]
    stop_grace_period: 1s
`;

describeNeeding(SANDBOX)('driver amazonec2 against the fake EC2 with real hosts', () => {
  let fake: FakeEc2;
  let hosts: ReturnType<typeof namespaceHosts>;
  let env: Record<string, string> = {};
  let dir = '';
  const stateFile = (): string => path.join(dir, '.mfile/state.json');
  const state = (): State => JSON.parse(readFileSync(stateFile(), 'utf8')) as State;
  const cli = (args: string[]) => {
    const verb = args[0] === 'state' ? 2 : 1; // `-f` belongs to the subcommand: `mfile state unlock -f FILE ID`
    return mfileAsync([...args.slice(0, verb), '-f', 'machines.yml', ...args.slice(verb)], dir, env);
  };
  const run = (args: string[]) => cli(args).done;

  /** The docker CLI with the variables `mfile env web` prints. */
  async function docker(args: string[]) {
    const e = await run(['env', 'web']);
    expect(e.code, e.stderr).toBe(0);
    const vars: Record<string, string> = {};
    for (const [, k, v] of e.stdout.matchAll(/^export (\w+)=['"]?([^'"\n]*)['"]?$/gm)) vars[k] = v;
    return spawnSync('docker', args, { encoding: 'utf8', timeout: 30_000, env: { ...process.env, ...vars, DOCKER_CONFIG: path.join(dir, '.docker') } });
  }

  beforeAll(async () => {
    ensureBuilt();
    execFileSync('bash', [path.join(REPO_ROOT, 'scripts/make-busybox-image.sh'), IMAGE]);
    hosts = namespaceHosts();
    fake = new FakeEc2(hosts);
    env = ec2TestEnv(await fake.listen());
    const base = path.join(REPO_ROOT, '.test-work');
    mkdirSync(base, { recursive: true, mode: 0o700 });
    dir = mkdtempSync(path.join(base, 'ec2e2e-'));
    writeFileSync(path.join(dir, 'machines.yml'), config());
  });

  afterAll(async () => {
    if (existsSync(stateFile())) await run(['destroy', '-y']);
    for (const id of hosts?.live() ?? []) await hosts.remove(id).catch(() => undefined);
    await fake?.close();
  });

  afterEach(() => {
    expect(fake.violations, 'requests that broke the EC2 model').toEqual([]);
    expect(fake.badAnswers, 'fake answers that broke the EC2 model').toEqual([]);
  });

  it('mfile killed between RunInstances and its state write: the rerun adopts that instance, provisions Docker and runs the container', async () => {
    const first = cli(['apply', '-y']);
    let launched = '';
    fake.onRunInstances = (id) => {
      fake.onRunInstances = undefined;
      launched = id;
      first.child.kill('SIGKILL');
    };
    const killed = await first.done;
    expect(killed.signal).toBe('SIGKILL');
    expect(launched).toMatch(/^i-/);
    // Recorded as pending before the request, with nothing the create would have returned.
    expect(state().machines.web).toMatchObject({ status: 'pending', driverData: {} });

    let r = await run(['apply', '-y', '--json']);
    const unlock = /mfile state unlock (\S+)/.exec(r.stderr);
    if (r.code !== 0 && unlock) {
      const u = await run(['state', 'unlock', unlock[1]]);
      expect(u.code, u.stderr).toBe(0);
      r = await run(['apply', '-y', '--json']);
    }
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const texts = r.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => String((JSON.parse(l) as { text?: string }).text ?? ''));
    expect(texts.some((t) => t.includes(`adopting instance ${launched}`)), texts.join('\n')).toBe(true);
    expect(fake.count('RunInstances')).toBe(1);
    expect(fake.leftovers().instances).toEqual([launched]);
    const rec = state().machines.web;
    expect(rec).toMatchObject({ status: 'created', driverData: { instanceId: launched } });
    expect(rec.ssh?.host).toMatch(/^10\.213\.150\./);

    const ps = await docker(['ps', '--format', '{{.Names}} {{.Image}}']);
    expect(ps.status, ps.stderr).toBe(0);
    expect(ps.stdout).toContain(`ec2e2e-hello ${IMAGE}`);
    // The engine answers only with the client certificate.
    const plain = spawnSync('docker', ['-H', `tcp://${rec.ssh!.host}:2376`, 'version'], { encoding: 'utf8', timeout: 30_000 });
    expect(plain.status).not.toBe(0);
    // No credential in the state.
    expect(readFileSync(stateFile(), 'utf8')).not.toContain(SECRET_ACCESS_KEY);
  });

  it('a second apply changes nothing', async () => {
    const r = await run(['apply', '-y']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('No changes.');
  });

  it('destroy terminates the instance and deletes its key pair and security group', async () => {
    const r = await run(['destroy', '-y']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(fake.leftovers()).toEqual({ instances: [], keyPairs: [], groups: [] });
    expect(hosts.live()).toEqual([]);
    expect(fake.count('TerminateInstances')).toBe(1);
  });

  it('an instance that never runs: apply times out and leaves the machine tainted; the rerun replaces it', async () => {
    writeFileSync(path.join(dir, 'machines.yml'), config(2));
    fake.neverRunning = true;
    const stuck = await run(['apply', '-y']);
    fake.neverRunning = false;
    expect(stuck.code).toBe(1);
    expect(stuck.stdout + stuck.stderr).toMatch(/web: driver amazonec2: instance i-\w+ is not running with a public address after 2 s \(state: pending/);
    expect(state().machines.web.status).toBe('tainted');
    // The failed create removed what it made.
    expect(fake.leftovers()).toEqual({ instances: [], keyPairs: [], groups: [] });

    writeFileSync(path.join(dir, 'machines.yml'), config());
    const plan = await run(['plan']);
    expect(plan.stdout).toMatch(/tainted/);
    const r = await run(['apply', '-y']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(state().machines.web.status).toBe('created');
    expect(fake.leftovers().instances).toHaveLength(1);
    const ps = await docker(['ps', '--format', '{{.Names}}']);
    expect(ps.stdout).toContain('ec2e2e-hello');

    // The power verbs are EC2's instance actions: stop waits for "stopped", start for "running", then the engine.
    const live = (): string[] => [...fake.instances.values()].filter((i) => i.state !== 'terminated').map((i) => i.state);
    const stop = await run(['stop', 'web']);
    expect(stop.code, stop.stdout + stop.stderr).toBe(0);
    expect(live()).toEqual(['stopped']);
    const start = await run(['start', 'web']);
    expect(start.code, start.stdout + start.stderr).toBe(0);
    expect(live()).toEqual(['running']);
    const v = await docker(['version', '--format', '{{.Server.Version}}']);
    expect(v.status, v.stderr).toBe(0);

    const d = await run(['destroy', '-y']);
    expect(d.code, d.stderr).toBe(0);
    expect(fake.leftovers()).toEqual({ instances: [], keyPairs: [], groups: [] });
  });
});
