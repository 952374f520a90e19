// The hetzner driver against a stateful fake of Hetzner Cloud behind `prism proxy --errors`: every request the
// driver sends and every answer the fake gives is checked against Hetzner's API description. The faults a real
// cloud has: rate limits, 5xx, a refused size, a server that never comes up, a crash after the create request,
// a wrong token. No real host here (the e2e test has one).
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { hetznerDriver } from '../../../src/drivers/hetzner/index.js';
import { CreateIncompleteError } from '../../../src/drivers/cloud/pending.js';
import type { Driver } from '../../../src/drivers/driver.js';
import { hetznerRequest, hetznerSpec, startFakeCloud, TOKEN, violations, type FakeCloud } from './setup.js';
import { harness } from '../../helpers/sandbox-run.js';

const FAST = { attempts: 4, baseMs: 20, maxDelayMs: 100, maxRetryAfterMs: 3000 };

describe('hetzner driver through Prism and a fake Hetzner Cloud', () => {
  let cloud: FakeCloud;
  let driver: Driver;
  let stateDir: string;
  let lines: string[];
  const opts = (over: Record<string, unknown> = {}) => ({ api_url: cloud.prism.url, ...over });
  const req = (over: Record<string, unknown> = {}, data: Record<string, unknown> = {}, signal?: AbortSignal) =>
    hetznerRequest(hetznerSpec('web', opts(over)), stateDir, data, (l) => lines.push(l), signal);
  const failure = async (p: Promise<unknown>): Promise<Error> => {
    try {
      await p;
    } catch (e) {
      return e as Error;
    }
    throw new Error('expected a failure');
  };

  beforeAll(async () => {
    cloud = await startFakeCloud();
    driver = hetznerDriver(FAST);
  }, 60_000);
  afterAll(async () => {
    await cloud?.stop();
  });
  beforeEach(() => {
    process.env.HCLOUD_TOKEN = TOKEN;
    process.env.MFILE_CLOUD_POLL_INTERVAL = '0.05';
    stateDir = join(mkdtempSync(join(tmpdir(), 'mfile-hetzner-')), '.mfile');
    lines = [];
  });
  afterEach(() => {
    delete process.env.MFILE_CLOUD_WAIT_TIMEOUT;
    cloud.fake.faults.length = 0;
    cloud.fake.refusedTypes.clear();
    cloud.fake.neverActive = false;
    cloud.fake.onServerCreated = undefined;
    cloud.fake.pageSize = 50;
    cloud.fake.listed.length = 0;
    // Whatever a test made, it removed: the fake holds nothing between tests.
    expect(cloud.fake.holdings()).toEqual({ servers: 0, sshKeys: 0, firewalls: 0 });
    expect(violations(cloud.prism)).toEqual([]);
  });

  it('creates a labelled server with the machine key and a firewall, powers it, and removes all of it', async () => {
    const { driverData } = await driver.create(req());
    const server = cloud.fake.servers.get(driverData.serverId as number)!;
    expect(server.labels).toMatchObject({ 'mfile-project': 'shop', 'mfile-machine': 'web' });
    expect(server).toMatchObject({ name: 'shop-web', typeName: 'cx22', location: 'fsn1', status: 'running' });
    const key = cloud.fake.sshKeys.get(driverData.sshKeyId as number)!;
    expect(key.public_key).toBe(readFileSync(join(stateDir, 'machines/web/id_ed25519.pub'), 'utf8').trim());
    const fw = cloud.fake.firewalls.get(driverData.firewallId as number)!;
    expect(fw.rules).toMatchObject([
      { direction: 'in', protocol: 'tcp', port: '22', source_ips: ['0.0.0.0/0', '::/0'] },
      { direction: 'in', protocol: 'tcp', port: '2376', source_ips: ['0.0.0.0/0', '::/0'] },
    ]);
    expect(await driver.address(req({}, driverData))).toMatchObject({ host: server.ip, port: 22, user: 'root' });
    expect(lines.some((l) => l.includes('waiting for server') && l.includes('running'))).toBe(true);

    expect((await driver.status(req({}, driverData))).status).toBe('running');
    await driver.stop(req({}, driverData));
    expect((await driver.status(req({}, driverData))).status).toBe('stopped');
    await driver.start(req({}, driverData));
    expect((await driver.status(req({}, driverData))).status).toBe('running');
    await driver.restart(req({}, driverData));
    await driver.kill(req({}, driverData));
    expect((await driver.status(req({}, driverData))).status).toBe('stopped');

    await driver.remove(req({}, driverData));
    expect((await driver.status(req({}, driverData))).status).toBe('missing');
    expect(existsSync(join(stateDir, 'machines/web/id_ed25519'))).toBe(false);
  });

  it('opens the firewall only to the sources the block names, and reads the token from token_file', async () => {
    delete process.env.HCLOUD_TOKEN;
    const file = join(stateDir, '..', 'token');
    writeFileSync(file, TOKEN + '\n', { mode: 0o600 });
    const o = { token_file: file, ssh_sources: ['198.51.100.7/32'], engine_sources: ['198.51.100.0/24'] };
    const { driverData } = await driver.create(req(o));
    expect(cloud.fake.firewalls.get(driverData.firewallId as number)!.rules).toMatchObject([
      { port: '22', source_ips: ['198.51.100.7/32'] },
      { port: '2376', source_ips: ['198.51.100.0/24'] },
    ]);
    await driver.remove(req(o, driverData));
  });

  it('refuses a location, server type or image typo at plan time, listing the valid choices', async () => {
    await driver.preCreateCheck(req());
    expect((await failure(driver.preCreateCheck(req({ location: 'fsn' })))).message).toBe(
      'web: hetzner.location "fsn" does not exist (valid: ash, fsn1, hel1, nbg1)',
    );
    expect((await failure(driver.preCreateCheck(req({ server_type: 'cx21' })))).message).toBe(
      'web: hetzner.server_type "cx21" does not exist (valid in fsn1: cax11, cpx11, cx22)',
    );
    expect((await failure(driver.preCreateCheck(req({ location: 'ash' })))).message).toBe(
      'web: hetzner.server_type "cx22" is not offered in ash (offered in: fsn1, hel1, nbg1)',
    );
    expect((await failure(driver.preCreateCheck(req({ image: 'debian-11' })))).message).toBe(
      'web: hetzner.image "debian-11" does not exist for x86 server types like cx22 (valid: debian-12, ubuntu-24.04)',
    );
  });

  // One item a page (fake.pageSize = 1): whatever is not first in a list is on a later page.
  it('at plan time reads every page of locations, server types and images, following meta.pagination.next_page', async () => {
    cloud.fake.pageSize = 1;
    await driver.preCreateCheck(req());
    expect((await failure(driver.preCreateCheck(req({ location: 'fsn' })))).message).toBe(
      'web: hetzner.location "fsn" does not exist (valid: ash, fsn1, hel1, nbg1)',
    );
    expect((await failure(driver.preCreateCheck(req({ image: 'debian-11' })))).message).toBe(
      'web: hetzner.image "debian-11" does not exist for x86 server types like cx22 (valid: debian-12, ubuntu-24.04)',
    );
    expect(cloud.fake.listed).toEqual(expect.arrayContaining(['/locations page 4', '/server_types page 2', '/images page 2']));
  });

  it('names the driver on a wrong token, on one line, without the token', async () => {
    process.env.HCLOUD_TOKEN = 'wrong-token-31337';
    const err = await failure(driver.preCreateCheck(req()));
    expect(err.message).toMatch(/^web: hetzner API list (locations|server types): the hetzner API refused the token \(401 unauthorized: unable to authenticate\)$/);
    expect(err.message).not.toContain('wrong-token-31337');
    delete process.env.HCLOUD_TOKEN;
    expect((await failure(driver.preCreateCheck(req()))).message).toBe('web: no Hetzner Cloud API token: set HCLOUD_TOKEN or hetzner.token_file');
  });

  it('waits out a 429 for as long as Retry-After asks, then goes on', async () => {
    cloud.fake.faults.push({ method: 'GET', path: /^\/locations$/, status: 429, times: 1, headers: { 'retry-after': '1' } });
    await driver.preCreateCheck(req());
    expect(cloud.fake.requests.filter((r) => r.path === '/locations').slice(-2).map((r) => r.status)).toEqual([429, 200]);
    expect(lines.find((l) => l.includes('HTTP 429'))).toMatch(/HTTP 429; trying again in 1\.\d s/);
  });

  it('gives up on a 429 whose Retry-After is beyond the bound, quoting Hetzner', async () => {
    cloud.fake.faults.push({ method: 'GET', path: /^\/locations$/, status: 429, times: 1, headers: { 'retry-after': '3600' }, message: 'limit of 3600 requests per hour reached' });
    const err = await failure(driver.preCreateCheck(req()));
    expect(err.message).toBe('web: hetzner API list locations: rate limited and out of retries (429 rate_limit_exceeded: limit of 3600 requests per hour reached)');
  });

  it('retries 5xx on reads, and after a create answered 500 adopts what it made: never a duplicate', async () => {
    cloud.fake.faults.push({ method: 'GET', path: /^\/server_types$/, status: 500, times: 2 });
    await driver.preCreateCheck(req());
    expect(cloud.fake.requests.filter((r) => r.path === '/server_types').slice(-3).map((r) => r.status)).toEqual([500, 500, 200]);

    // The server is made, but the answer is a 500: the driver looks by labels before creating again.
    cloud.fake.faults.push({ method: 'POST', path: /^\/servers$/, status: 500, times: 1, after: true });
    const { driverData } = await driver.create(req());
    expect(cloud.fake.holdings()).toEqual({ servers: 1, sshKeys: 1, firewalls: 1 });
    expect(cloud.fake.requests.filter((r) => r.method === 'POST' && r.path === '/servers').length).toBeGreaterThan(0);
    expect(lines.some((l) => l.includes('adopting the server'))).toBe(true);
    await driver.remove(req({}, driverData));
  });

  it('quotes a 422 for a size Hetzner refuses; the key and firewall made so far go with the record', async () => {
    cloud.fake.refusedTypes.add('cx22');
    const err = await failure(driver.create(req()));
    expect(err).toBeInstanceOf(CreateIncompleteError);
    expect(err.message).toBe('web: hetzner API create server: 422 invalid_input: server type cx22 cannot be created here');
    const left = (err as CreateIncompleteError).driverData;
    expect(Object.keys(left).sort()).toEqual(['firewallId', 'sshKeyId']);
    await driver.remove(req({}, left));
  });

  it('times out on a server that never becomes active, keeping its id for the rerun to remove', async () => {
    process.env.MFILE_CLOUD_WAIT_TIMEOUT = '1';
    cloud.fake.neverActive = true;
    const err = await failure(driver.create(req()));
    expect(err).toBeInstanceOf(CreateIncompleteError);
    const left = (err as CreateIncompleteError).driverData;
    expect(err.message).toBe(`web: gave up waiting for server ${left.serverId} to be running after 1 s (last status: initializing)`);
    await driver.remove(req({}, left));
  });

  it('the machine step records a failed create as tainted with the ids it made, and deleting the machine removes them', async () => {
    process.env.MFILE_CLOUD_WAIT_TIMEOUT = '1';
    cloud.fake.neverActive = true;
    const h = harness(stateDir, [hetznerSpec('web', opts())]);
    await expect(h.run('web', 'create')).rejects.toThrow(/gave up waiting for server \d+ to be running/);
    expect(h.checkpoints.map((c) => [c.status, Object.keys(c.driverData).sort()])).toEqual([
      ['pending', []],
      ['tainted', ['firewallId', 'serverId', 'sshKeyId']],
    ]);
    expect(cloud.fake.holdings()).toEqual({ servers: 1, sshKeys: 1, firewalls: 1 });
    await h.run('web', 'delete');
  });

  it('after a crash between the create request and the state write, a rerun adopts server, key and firewall', async () => {
    const crash = new AbortController();
    cloud.fake.onServerCreated = () => crash.abort(new Error('killed'));
    cloud.fake.neverActive = true;
    await failure(driver.create(req({}, {}, crash.signal)));
    const first = [...cloud.fake.servers.keys()];
    cloud.fake.activate();
    // The state holds a pending record with nothing in it: the rerun starts from scratch.
    const { driverData } = await driver.create(req());
    expect(cloud.fake.holdings()).toEqual({ servers: 1, sshKeys: 1, firewalls: 1 });
    expect(driverData.serverId).toBe(first[0]);
    await driver.remove(req({}, {}));
  });

  it('is held to the spec: Prism refuses a request that breaks it, and a fake answer that breaks it', async () => {
    const h = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
    const seen = cloud.fake.requests.length;
    const bad = await fetch(`${cloud.prism.url}/servers`, { method: 'POST', headers: h, body: JSON.stringify({ name: 'x' }) });
    expect(bad.status).toBe(422);
    expect(JSON.stringify(await bad.json())).toContain("must have required property 'image'");
    expect(cloud.fake.requests.length).toBe(seen);

    const { driverData } = await driver.create(req());
    cloud.fake.breakNextServer = true;
    const broken = await fetch(`${cloud.prism.url}/servers/${driverData.serverId}`, { headers: h });
    expect(broken.status).toBe(500);
    expect(JSON.stringify(await broken.json())).toContain("must have required property 'status'");
    await driver.remove(req({}, driverData));
    // Both were meant: keep them out of the afterEach check.
    cloud.prism.log = ((log) => () => log().split('\n').filter((l) => !l.includes('/servers')).join('\n'))(cloud.prism.log);
  });
});
