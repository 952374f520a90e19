// `driver: hetzner` as a user drives it, against a fake Hetzner Cloud behind `prism proxy --errors` whose servers
// are real hosts (namespace hosts with sshd that accept the uploaded key). Plan checks the options with the API
// and states the open engine port; a server that never comes up leaves the machine tainted; a rerun killed right
// after its create request is adopted by the next run (no second server); that run provisions Docker and runs a
// container; destroy leaves the cloud holding no server, key or firewall. Needs root, docker.io, openssh-server.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ensureBuilt, mfileSpawn, REPO_ROOT, type CliResult } from '../helpers/cli.js';
import { startCloudHost } from '../helpers/cloud-host.js';
import { describeNeeding, SANDBOX } from '../helpers/prerequisites.js';
import { startFakeCloud, TOKEN, violations, type FakeCloud } from '../contracts/hetzner/setup.js';

const SUBNET = '10.213.140.0/24';

describeNeeding(SANDBOX)('mfile with driver hetzner (fake Hetzner Cloud behind Prism, real hosts)', () => {
  let cloud: FakeCloud;
  let dir = '';
  const stateOf = () => JSON.parse(readFileSync(path.join(dir, '.mfile/state.json'), 'utf8')).machines.web;
  const env = (over: Record<string, string> = {}) => ({ HCLOUD_TOKEN: TOKEN, MFILE_CLOUD_POLL_INTERVAL: '0.3', ...over });
  const run = (args: string[], over: Record<string, string> = {}, onStart?: (kill: () => void) => void): Promise<CliResult> => {
    const child = mfileSpawn(args, { cwd: dir, env: env(over) });
    onStart?.(() => child.kill('SIGKILL'));
    return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout: child.out(), stderr: '' })));
  };

  beforeAll(async () => {
    ensureBuilt();
    execFileSync('bash', [path.join(REPO_ROOT, 'scripts/make-busybox-image.sh'), 'mfile-demo/busybox:1']);
    cloud = await startFakeCloud((server, keys) => startCloudHost({ name: `hz${server.id}`, subnet: SUBNET, authorizedKey: keys.join('\n') }));
    const base = path.join(REPO_ROOT, '.test-work');
    mkdirSync(base, { recursive: true, mode: 0o700 });
    dir = mkdtempSync(path.join(base, 'hetzner-cli-'));
    writeFileSync(
      path.join(dir, 'machines.yml'),
      `version: 1
project: shop
machines:
  web:
    driver: hetzner
    hetzner: { api_url: "${cloud.prism.url}", location: nbg1, server_type: cx22, image: debian-12 }
containers:
  hello:
    machine: web
    image: mfile-demo/busybox:1
    command: ["httpd", "-f", "-p", "80", "-h", "/www"]
    stop_grace_period: 1s
`,
    );
  }, 120_000);

  afterAll(async () => {
    if (dir) await run(['destroy', '-y']);
    await cloud?.stop();
  }, 300_000);

  it('plan checks the options with the API and states that the engine port is open to the world', async () => {
    const r = await run(['plan']);
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).toContain('machine web: its firewall opens the Docker API port 2376 to the whole internet (hetzner.engine_sources defaults to 0.0.0.0/0 and ::/0)');
    expect(r.stdout).toContain('+ machine.web');
    expect(r.stdout).toContain('Plan: 3 to add, 0 to change, 0 to destroy.');
  });

  it('a wrong token fails plan with one line naming the machine and driver, and exit 1', async () => {
    const r = await run(['plan'], { HCLOUD_TOKEN: 'not-the-token-4242' });
    expect(r.code).toBe(1);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/web: driver hetzner cannot create it: hetzner API list .*: the hetzner API refused the token \(401 unauthorized: unable to authenticate\)/);
    expect(r.stdout).not.toContain('not-the-token-4242');
  });

  it('a server that never becomes active times out and leaves the machine tainted with its server id', async () => {
    cloud.fake.neverActive = true;
    const r = await run(['apply', '-y'], { MFILE_CLOUD_WAIT_TIMEOUT: '3' });
    expect(r.code, r.stdout).toBe(1);
    expect(r.stdout).toMatch(/gave up waiting for server \d+ to be running after 3 s \(last status: initializing\)/);
    const rec = stateOf();
    expect(rec.status).toBe('tainted');
    expect(cloud.fake.servers.has(rec.driverData.serverId)).toBe(true);
  });

  it('a rerun replaces it; killed right after its create request, it leaves a pending record', async () => {
    const tainted = stateOf().driverData.serverId as number;
    let created: number | undefined;
    const r = await run(['apply', '-y'], {}, (kill) => {
      cloud.fake.onServerCreated = (id) => {
        created = id;
        kill();
      };
    });
    cloud.fake.onServerCreated = undefined;
    expect(r.code).not.toBe(0);
    expect(created).toBeDefined();
    expect(cloud.fake.servers.has(tainted)).toBe(false);
    expect([...cloud.fake.servers.keys()]).toEqual([created]);
    expect(stateOf()).toMatchObject({ status: 'pending', driverData: {} });
    // The killed run held the state lock: the next command takes it over, saying so in one line.
    const next = await run(['plan']);
    expect(next.code, next.stdout).toBe(0);
    expect(next.stdout).toMatch(/^Warning: took over the state lock of \S+, process \d+ \(apply, .*\): that process is no longer running$/m);
  });

  it('the next apply adopts that server (no second one), provisions Docker and runs the container', async () => {
    const adopted = [...cloud.fake.servers.keys()];
    cloud.fake.activate();
    const r = await run(['apply', '-y']);
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).toContain('adopting the server');
    expect([...cloud.fake.servers.keys()]).toEqual(adopted);
    expect(cloud.fake.holdings()).toEqual({ servers: 1, sshKeys: 1, firewalls: 1 });
    const rec = stateOf();
    expect(rec).toMatchObject({ status: 'created', driverData: { serverId: adopted[0] } });

    const vars = Object.fromEntries([...(await run(['env', 'web'])).stdout.matchAll(/^export (\w+)=(?:'([^']*)'|(\S*))$/gm)].map((m) => [m[1], m[2] ?? m[3]]));
    const ps = spawnSync('docker', ['ps', '--format', '{{.Names}} {{.Image}}'], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, ...vars, DOCKER_CONFIG: path.join(dir, '.docker') } });
    expect(ps.status, ps.stderr).toBe(0);
    expect(ps.stdout).toContain('shop-hello mfile-demo/busybox:1');
  });

  it('destroy removes the server, its key and its firewall: the cloud holds nothing', async () => {
    const r = await run(['destroy', '-y']);
    expect(r.code, r.stdout).toBe(0);
    expect(cloud.fake.holdings()).toEqual({ servers: 0, sshKeys: 0, firewalls: 0 });
    expect(violations(cloud.prism)).toEqual([]);
  });
});
