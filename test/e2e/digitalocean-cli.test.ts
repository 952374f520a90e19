// `driver: digitalocean` as a user drives it, against a fake DigitalOcean behind `prism proxy --errors` whose
// Droplets are real hosts: apply creates the Droplet, key and firewall, provisions Docker and runs a container;
// destroy leaves DigitalOcean holding no Droplet, key or firewall. (The fault cases are in
// test/contracts/digitalocean; the crash and taint paths, shared with Hetzner, in hetzner-cli.test.ts.)
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ensureBuilt, mfileSpawn, REPO_ROOT, type CliResult } from '../helpers/cli.js';
import { startCloudHost } from '../helpers/cloud-host.js';
import { describeNeeding, SANDBOX } from '../helpers/prerequisites.js';
import { SPECS, startPrism, type Prism } from '../contracts/prism.js';
import { FakeDigitalOcean } from '../contracts/digitalocean/fake-digitalocean.js';

const SUBNET = '10.213.141.0/24';
const TOKEN = 'do-e2e-token-1b7d';

describeNeeding(SANDBOX)('mfile with driver digitalocean (fake DigitalOcean behind Prism, real hosts)', () => {
  let fake: FakeDigitalOcean;
  let prism: Prism;
  let dir = '';
  const run = (args: string[]): Promise<CliResult> => {
    const child = mfileSpawn(args, { cwd: dir, env: { DIGITALOCEAN_ACCESS_TOKEN: TOKEN, MFILE_CLOUD_POLL_INTERVAL: '0.3' } });
    return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout: child.out(), stderr: '' })));
  };

  beforeAll(async () => {
    ensureBuilt();
    execFileSync('bash', [path.join(REPO_ROOT, 'scripts/make-busybox-image.sh'), 'mfile-demo/busybox:1']);
    fake = new FakeDigitalOcean(TOKEN, (d, keys) => startCloudHost({ name: `do${d.id}`, subnet: SUBNET, authorizedKey: keys.join('\n') }));
    prism = await startPrism(path.join(SPECS, 'digitalocean/digitalocean-v2.bundled.yaml'), await fake.start());
    const base = path.join(REPO_ROOT, '.test-work');
    mkdirSync(base, { recursive: true, mode: 0o700 });
    dir = mkdtempSync(path.join(base, 'do-cli-'));
    writeFileSync(
      path.join(dir, 'machines.yml'),
      `version: 1
project: shop
machines:
  web:
    driver: digitalocean
    digitalocean: { api_url: "${prism.url}", region: fra1, size: s-1vcpu-1gb, image: debian-12-x64, engine_sources: [10.213.141.0/24] }
containers:
  hello:
    machine: web
    image: mfile-demo/busybox:1
    command: ["httpd", "-f", "-p", "80", "-h", "/www"]
    stop_grace_period: 1s
`,
    );
  }, 180_000);

  afterAll(async () => {
    if (dir) await run(['destroy', '-y']);
    await prism?.stop();
    await fake?.stop();
  }, 300_000);

  it('apply creates the Droplet, provisions Docker and runs the container', async () => {
    const r = await run(['apply', '-y']);
    expect(r.code, r.stdout).toBe(0);
    // The block names its engine sources: no world-open warning.
    expect(r.stdout).not.toContain('to the whole internet');
    expect(fake.holdings()).toEqual({ droplets: 1, sshKeys: 1, firewalls: 1 });
    const fw = [...fake.firewalls.values()][0];
    expect(fw.inbound_rules).toMatchObject([{ ports: '22' }, { ports: '2376', sources: { addresses: ['10.213.141.0/24'] } }]);
    const vars = Object.fromEntries([...(await run(['env', 'web'])).stdout.matchAll(/^export (\w+)=(?:'([^']*)'|(\S*))$/gm)].map((m) => [m[1], m[2] ?? m[3]]));
    const ps = spawnSync('docker', ['ps', '--format', '{{.Names}} {{.Image}}'], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, ...vars, DOCKER_CONFIG: path.join(dir, '.docker') } });
    expect(ps.status, ps.stderr).toBe(0);
    expect(ps.stdout).toContain('shop-hello mfile-demo/busybox:1');
  });

  it('destroy removes the Droplet, its key and its firewall: DigitalOcean holds nothing', async () => {
    const r = await run(['destroy', '-y']);
    expect(r.code, r.stdout).toBe(0);
    expect(fake.holdings()).toEqual({ droplets: 0, sshKeys: 0, firewalls: 0 });
    expect(prism.log().split('\n').filter((l) => /Violation|Request terminated/.test(l))).toEqual([]);
  });
});
