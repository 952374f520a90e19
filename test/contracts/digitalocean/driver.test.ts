// The digitalocean driver against a stateful fake of DigitalOcean behind `prism proxy --errors`: every request and
// every answer is checked against DigitalOcean's API description. Lifecycle, typos at plan time, wrong token,
// rate limit, a refused size, a Droplet that never becomes active, adoption after a crash.
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { digitaloceanDriver } from '../../../src/drivers/digitalocean/index.js';
import { digitaloceanTraits } from '../../../src/drivers/digitalocean/traits.js';
import { CreateIncompleteError } from '../../../src/drivers/cloud/pending.js';
import type { Driver, MachineRequest } from '../../../src/drivers/driver.js';
import { defaultEngine } from '../../../src/model/index.js';
import { SPECS, startPrism, type Prism } from '../prism.js';
import { FakeDigitalOcean } from './fake-digitalocean.js';

const TOKEN = 'do-test-token-7c21';
const FAST = { attempts: 4, baseMs: 20, maxDelayMs: 100, maxRetryAfterMs: 3000 };

/** Prism's complaints, from its log (none is expected from the driver or the fake). */
const violations = (prism: Prism): string[] => prism.log().split('\n').filter((l) => /Violation|Request terminated/.test(l));

describe('digitalocean driver through Prism and a fake DigitalOcean', () => {
  let fake: FakeDigitalOcean;
  let prism: Prism;
  let driver: Driver;
  let stateDir: string;
  let lines: string[];
  const req = (over: Record<string, unknown> = {}, driverData: Record<string, unknown> = {}, signal?: AbortSignal): MachineRequest => ({
    machine: { name: 'web', driver: 'digitalocean', driverOptions: { api_url: prism.url, ...over }, traits: digitaloceanTraits, engine: defaultEngine({}), tls: { enabled: true, san: [] } },
    driverData,
    ctx: { stateDir, project: 'shop', log: (l) => lines.push(l), signal },
  });
  const failure = async (p: Promise<unknown>): Promise<Error> => {
    try {
      await p;
    } catch (e) {
      return e as Error;
    }
    throw new Error('expected a failure');
  };

  beforeAll(async () => {
    fake = new FakeDigitalOcean(TOKEN);
    prism = await startPrism(join(SPECS, 'digitalocean/digitalocean-v2.bundled.yaml'), await fake.start());
    driver = digitaloceanDriver(FAST);
  }, 300_000);
  afterAll(async () => {
    await prism?.stop();
    await fake?.stop();
  });
  beforeEach(() => {
    process.env.DIGITALOCEAN_ACCESS_TOKEN = TOKEN;
    process.env.MFILE_CLOUD_POLL_INTERVAL = '0.05';
    stateDir = join(mkdtempSync(join(tmpdir(), 'mfile-do-')), '.mfile');
    lines = [];
  });
  afterEach(() => {
    delete process.env.MFILE_CLOUD_WAIT_TIMEOUT;
    fake.faults.length = 0;
    fake.neverActive = false;
    fake.onDropletCreated = undefined;
    fake.pageSize = 200;
    expect(fake.holdings()).toEqual({ droplets: 0, sshKeys: 0, firewalls: 0 });
    expect(violations(prism)).toEqual([]);
  });

  it('creates a tagged Droplet with the machine key and its own firewall, powers it, and removes all of it', async () => {
    const { driverData } = await driver.create(req({ tags: ['team-a'], monitoring: true }));
    const d = fake.droplets.get(driverData.dropletId as number)!;
    expect(d.tags.sort()).toEqual(['mfile-machine:web', 'mfile-project:shop', 'team-a']);
    expect(d).toMatchObject({ name: 'shop-web', size: 's-1vcpu-1gb', region: 'nyc3', status: 'active' });
    const fw = fake.firewalls.get(driverData.firewallId as string)!;
    expect(fw.droplet_ids).toEqual([d.id]);
    expect(fw.inbound_rules).toMatchObject([
      { protocol: 'tcp', ports: '22', sources: { addresses: ['0.0.0.0/0', '::/0'] } },
      { protocol: 'tcp', ports: '2376', sources: { addresses: ['0.0.0.0/0', '::/0'] } },
    ]);
    expect(await driver.address(req({}, driverData))).toMatchObject({ host: d.ip, user: 'root' });
    await driver.stop(req({}, driverData));
    expect((await driver.status(req({}, driverData))).status).toBe('stopped');
    await driver.start(req({}, driverData));
    expect((await driver.status(req({}, driverData))).status).toBe('running');
    await driver.restart(req({}, driverData));
    await driver.remove(req({}, driverData));
    expect((await driver.status(req({}, driverData))).status).toBe('missing');
    expect(existsSync(join(stateDir, 'machines/web/id_ed25519'))).toBe(false);
  });

  it('refuses a region, size or image typo at plan time, listing the valid choices', async () => {
    await driver.preCreateCheck(req());
    expect((await failure(driver.preCreateCheck(req({ region: 'nyc9' })))).message).toBe('web: digitalocean.region "nyc9" does not exist (valid: ams3, fra1, nyc3)');
    expect((await failure(driver.preCreateCheck(req({ size: 's-1vcpu-512mb' })))).message).toBe(
      'web: digitalocean.size "s-1vcpu-512mb" does not exist (valid in nyc3: s-1vcpu-1gb, s-2vcpu-2gb)',
    );
    expect((await failure(driver.preCreateCheck(req({ region: 'ams3', size: 's-2vcpu-2gb' })))).message).toBe(
      'web: digitalocean.size "s-2vcpu-2gb" is not offered in ams3 (offered in: fra1, nyc3)',
    );
    expect((await failure(driver.preCreateCheck(req({ image: 'debian-11-x64' })))).message).toBe(
      'web: digitalocean.image "debian-11-x64" does not exist (valid: debian-12-x64, ubuntu-24-04-x64)',
    );
  });

  it('names the driver on a wrong token, on one line, without the token', async () => {
    process.env.DIGITALOCEAN_ACCESS_TOKEN = 'wrong-do-token-999';
    const err = await failure(driver.preCreateCheck(req()));
    expect(err.message).toMatch(/^web: digitalocean API list (regions|sizes): the digitalocean API refused the token \(401 unauthorized: Unable to authenticate you\)$/);
    expect(err.message).not.toContain('wrong-do-token-999');
  });

  it('waits out a 429 until the rate-limit reset it names', async () => {
    fake.faults.push({ method: 'GET', path: /^\/v2\/regions$/, status: 429, times: 1, headers: { 'ratelimit-reset': String(Math.ceil(Date.now() / 1000) + 1) } });
    await driver.preCreateCheck(req());
    expect(fake.requests.filter((r) => r.path === '/v2/regions').slice(-2).map((r) => r.status)).toEqual([429, 200]);
    expect(lines.some((l) => /HTTP 429; trying again in [0-2]\.\d s/.test(l))).toBe(true);
  });

  it('quotes a 422 for a bad size; the key made so far goes with the record', async () => {
    const err = await failure(driver.create(req({ size: 's-64vcpu-1tb' })));
    expect(err).toBeInstanceOf(CreateIncompleteError);
    expect(err.message).toBe('web: digitalocean API create droplet: 422 unprocessable_entity: You specified an invalid size for Droplet creation.');
    const left = (err as CreateIncompleteError).driverData;
    expect(Object.keys(left)).toEqual(['sshKeyId']);
    await driver.remove(req({}, left));
  });

  it('times out on a Droplet that never becomes active, keeping its id for the rerun to remove', async () => {
    process.env.MFILE_CLOUD_WAIT_TIMEOUT = '1';
    fake.neverActive = true;
    const err = await failure(driver.create(req()));
    const left = (err as CreateIncompleteError).driverData;
    expect(err.message).toBe(`web: gave up waiting for droplet ${left.dropletId} to be active after 1 s (last status: new)`);
    await driver.remove(req({}, left));
  });

  it('after a crash between the create request and the state write, a rerun adopts the Droplet, key and firewall', async () => {
    const crash = new AbortController();
    fake.neverActive = true;
    fake.onDropletCreated = () => crash.abort(new Error('killed'));
    await failure(driver.create(req({}, {}, crash.signal)));
    const first = [...fake.droplets.keys()];
    fake.activate();
    const { driverData } = await driver.create(req());
    expect(fake.holdings()).toEqual({ droplets: 1, sshKeys: 1, firewalls: 1 });
    expect(driverData.dropletId).toBe(first[0]);
    await driver.remove(req());
  });

  // One item a page (fake.pageSize = 1): whatever is not first in a list is on a later page.
  it('at plan time reads every page of regions, sizes and images, following links.pages.next', async () => {
    fake.pageSize = 1;
    await driver.preCreateCheck(req({ region: 'fra1', size: 's-2vcpu-2gb', image: 'ubuntu-24-04-x64' }));
    expect((await failure(driver.preCreateCheck(req({ region: 'nyc9' })))).message).toBe('web: digitalocean.region "nyc9" does not exist (valid: ams3, fra1, nyc3)');
    expect(fake.listed).toEqual(expect.arrayContaining(['/v2/regions page 3', '/v2/sizes page 2', '/v2/images page 2']));
  });

  it('finds its key, Droplet and firewall on a later page, to adopt them after a crash and to remove them', async () => {
    fake.pageSize = 1;
    const as = (name: string, r: MachineRequest): MachineRequest => ({ ...r, machine: { ...r.machine, name } });
    // Another machine of the project first, so that web's key, Droplet and firewall come after db's in every list.
    const db = await driver.create(as('db', req()));
    const crash = new AbortController();
    fake.neverActive = true;
    fake.onDropletCreated = () => crash.abort(new Error('killed'));
    await failure(driver.create(req({}, {}, crash.signal)));
    const first = [...fake.droplets.keys()].filter((id) => id !== db.driverData.dropletId);
    fake.activate();
    const { driverData } = await driver.create(req());
    expect(driverData.dropletId).toBe(first[0]);
    expect(fake.holdings()).toEqual({ droplets: 2, sshKeys: 2, firewalls: 2 });
    expect(fake.listed).toEqual(expect.arrayContaining(['/v2/account/keys page 2', '/v2/droplets page 2']));
    // Removal finds web's firewall (after db's) by its name.
    await driver.remove(req());
    expect(fake.listed).toContain('/v2/firewalls page 2');
    expect(fake.holdings()).toEqual({ droplets: 1, sshKeys: 1, firewalls: 1 });
    await driver.remove(as('db', req({}, db.driverData)));
  });
});
