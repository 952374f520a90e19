// The amazonec2 driver against a fake EC2 that checks every request against the botocore model and answers in
// its output shapes (no hosts here: create stops at "running with a public address", as the driver's part does).
// Faults: throttling and 500s retried by the SDK within a bound, named 4xx errors quoting AWS, wrong credentials,
// an instance that never runs, and a create rerun after a crash adopting the instance instead of making another.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { amazonec2Driver } from '../../../src/drivers/amazonec2/index.js';
import { amazonec2Traits } from '../../../src/drivers/amazonec2/traits.js';
import { MAX_ATTEMPTS } from '../../../src/drivers/amazonec2/client.js';
import type { MachineRequest } from '../../../src/drivers/driver.js';
import { DriverError } from '../../../src/errors.js';
import { defaultEngine, type MachineSpec } from '../../../src/model/index.js';
import { testStateDir } from '../../helpers/sandbox.js';
import { ACCESS_KEY_ID, FakeEc2, SECRET_ACCESS_KEY } from './fake-ec2.js';
import { ec2TestEnv, useEnv } from './ec2-env.js';

let fake: FakeEc2;
let restoreEnv: () => void;
const driver = amazonec2Driver();

function spec(name: string, block: Record<string, unknown> = {}): MachineSpec {
  return { name, driver: 'amazonec2', driverOptions: block, traits: amazonec2Traits, engine: defaultEngine(), tls: { enabled: true, san: [] } };
}

function req(machine: MachineSpec, stateDir: string, driverData: Record<string, unknown> = {}, log?: string[]): MachineRequest {
  return { machine, driverData, ctx: { stateDir, project: 'ec2c', log: log ? (l) => log.push(l) : undefined } };
}

async function refusal(p: Promise<unknown>): Promise<string> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DriverError);
  return (err as Error).message;
}

beforeAll(async () => {
  fake = new FakeEc2();
  restoreEnv = useEnv(ec2TestEnv(await fake.listen()));
});
afterAll(async () => {
  restoreEnv();
  await fake.close();
});
afterEach(() => {
  expect(fake.violations, 'requests that broke the EC2 model').toEqual([]);
  expect(fake.badAnswers, 'fake answers that broke the EC2 model').toEqual([]);
  fake.faults.clear();
  fake.neverRunning = false;
});

describe('preCreateCheck (plan time)', () => {
  const dir = testStateDir('ec2-check');

  it('passes with the defaults: region, t3.small and the newest Debian 12 image exist and fit together', async () => {
    const before = fake.requests.length;
    await driver.preCreateCheck(req(spec('web'), dir));
    const ops = fake.requests.slice(before).map((r) => r.operation);
    // The fake pages instance types by 4: the driver followed NextToken.
    expect(ops).toEqual(['DescribeRegions', 'DescribeInstanceTypes', 'DescribeInstanceTypes', 'DescribeImages']);
    const images = fake.requests.slice(before).find((r) => r.operation === 'DescribeImages')!.input;
    expect(images.Owners).toEqual(['136693071363']);
  });

  it('a misspelt instance type fails with the closest types listed', async () => {
    const msg = await refusal(driver.preCreateCheck(req(spec('web', { instance_type: 't3.smal' }), dir)));
    expect(msg).toMatch(/^web: instance type t3\.smal is not offered in us-east-1; closest: t3\.small, /);
  });

  it('a misspelt region fails with the regions listed', async () => {
    const msg = await refusal(driver.preCreateCheck(req(spec('web', { region: 'eu-centrl-1' }), dir)));
    expect(msg).toContain('region eu-centrl-1 does not exist or is not enabled; regions: eu-central-1, ');
  });

  it('an AMI that does not exist, and an arm64 AMI on an x86 type, are refused by name', async () => {
    expect(await refusal(driver.preCreateCheck(req(spec('web', { ami: 'ami-0123456789abcdef0' }), dir)))).toContain('AMI ami-0123456789abcdef0 does not exist in us-east-1');
    expect(await refusal(driver.preCreateCheck(req(spec('web', { ami: 'ami-0d12b0000000000b1' }), dir)))).toContain('AMI ami-0d12b0000000000b1 is arm64 but t3.small runs x86_64');
  });

  it('wrong credentials: one line naming the driver and quoting AWS, without the key', async () => {
    const back = useEnv({ AWS_ACCESS_KEY_ID: 'AKIAWRONGWRONGWRONG1', AWS_SECRET_ACCESS_KEY: 'wrong-secret-value' });
    try {
      const msg = await refusal(driver.preCreateCheck(req(spec('web', { region: 'eu-west-1' }), dir)));
      expect(msg).toBe('web: DescribeRegions failed: AuthFailure (HTTP 401): AWS was not able to validate the provided access credentials');
      expect(msg).not.toContain('wrong-secret-value');
      expect(msg).not.toContain('AKIAWRONG');
    } finally {
      back();
    }
  });
});

describe('create and remove', () => {
  let dir = '';
  beforeEach(() => {
    dir = testStateDir('ec2-create');
  });

  it('imports the machine key, opens SSH and the engine port, launches one tagged instance, and remove takes it all', async () => {
    const log: string[] = [];
    const m = spec('api', { ssh_sources: ['198.51.100.0/24'], engine_sources: ['198.51.100.7/32'], tags: { team: 'core' }, root_size: 20 });
    const r = req(m, dir, {}, log);
    const { driverData } = await driver.create(r);
    const id = String(driverData.instanceId);
    const inst = fake.instances.get(id)!;
    expect(inst.state).toBe('running');
    expect(inst.tags).toMatchObject({ 'mfile-project': 'ec2c', 'mfile-machine': 'api', team: 'core' });
    expect(driverData.publicIp).toBe(inst.ip);
    // The key pair holds the machine's own key, also given to cloud-init.
    const pub = readFileSync(path.join(dir, 'machines/api/id_ed25519.pub'), 'utf8').trim();
    expect(fake.keyPairs.get(String(driverData.keyName))!.publicKey).toBe(pub);
    expect(inst.userData).toMatch(/^#cloud-config\n/);
    expect(inst.userData).toContain(pub);
    expect(fake.rulesOf(String(driverData.keyName))).toEqual(['tcp/22 198.51.100.0/24', 'tcp/2376 198.51.100.7/32']);
    const run = fake.requests.find((x) => x.operation === 'RunInstances')!.input;
    expect(run.BlockDeviceMappings).toEqual([{ DeviceName: '/dev/xvda', Ebs: { VolumeSize: 20, VolumeType: 'gp3', DeleteOnTermination: true } }]);
    expect(typeof run.ClientToken).toBe('string');
    expect(log.some((l) => l.includes(`instance ${id} pending`) || l.includes(`instance ${id} running`))).toBe(true);

    expect(await driver.status(req(m, dir, driverData))).toEqual({ status: 'running' });
    expect(await driver.address(req(m, dir, driverData))).toMatchObject({ host: inst.ip, port: 22, user: 'admin', sudo: true });

    await driver.remove(req(m, dir, driverData));
    expect(fake.leftovers()).toEqual({ instances: [], keyPairs: [], groups: [] });
    expect(existsSync(path.join(dir, 'machines/api'))).toBe(false);
    expect((await driver.status(req(m, dir, driverData))).status).toBe('missing');
  });

  it('stop, kill, start and restart map to EC2 actions and wait for the state', async () => {
    const m = spec('pw');
    const { driverData } = await driver.create(req(m, dir));
    await driver.stop(req(m, dir, driverData));
    expect((await driver.status(req(m, dir, driverData))).status).toBe('stopped');
    await driver.start(req(m, dir, driverData));
    expect((await driver.status(req(m, dir, driverData))).status).toBe('running');
    await driver.kill(req(m, dir, driverData));
    expect(fake.requests.filter((x) => x.operation === 'StopInstances').map((x) => x.input.Force)).toEqual([undefined, true]);
    await driver.start(req(m, dir, driverData));
    await driver.restart(req(m, dir, driverData));
    expect(fake.count('RebootInstances')).toBe(1);
    expect((await driver.status(req(m, dir, driverData))).status).toBe('running');
    await driver.remove(req(m, dir, driverData));
    expect(fake.leftovers()).toEqual({ instances: [], keyPairs: [], groups: [] });
  });

  it('a rerun after a crash between RunInstances and the state write adopts the instance: no duplicate', async () => {
    const m = spec('crash');
    const first = await driver.create(req(m, dir));
    const runs = fake.count('RunInstances');
    // The state kept nothing of the first create (pending, no driver data): the rerun starts from nothing.
    const again = await driver.create(req(m, dir, {}));
    expect(again.driverData.instanceId).toBe(first.driverData.instanceId);
    expect(fake.count('RunInstances')).toBe(runs);
    expect(fake.leftovers().instances).toEqual([first.driverData.instanceId]);
    // Remove with nothing recorded still finds it by its tags: no orphan.
    await driver.remove(req(m, dir, {}));
    expect(fake.leftovers()).toEqual({ instances: [], keyPairs: [], groups: [] });
  });

  it('RunInstances resent with the same idempotency token returns the same instance', async () => {
    const m = spec('token');
    // The answer to the first RunInstances is lost (a 503 after the fake made the instance): the SDK retries.
    fake.onRunInstances = () => {
      fake.onRunInstances = undefined;
      throw new Error('connection lost after launch');
    };
    const { driverData } = await driver.create(req(m, dir));
    const runs = fake.requests.filter((x) => x.operation === 'RunInstances');
    expect(runs.length).toBeGreaterThanOrEqual(2);
    expect(new Set(runs.slice(-2).map((x) => x.input.ClientToken)).size).toBe(1);
    expect(fake.leftovers().instances).toEqual([driverData.instanceId]);
    await driver.remove(req(m, dir, driverData));
  });

  it('throttling (RequestLimitExceeded, 503) and 500s are retried by the SDK and the create succeeds', async () => {
    const m = spec('busy');
    fake.fail('RunInstances', 503, 'RequestLimitExceeded', 'Request limit exceeded.', 2);
    fake.fail('DescribeInstances', 500, 'InternalError', 'An internal error has occurred', 2);
    const before = fake.count('RunInstances');
    const { driverData } = await driver.create(req(m, dir));
    expect(fake.count('RunInstances') - before).toBe(3);
    expect(fake.leftovers().instances).toEqual([driverData.instanceId]);
    await driver.remove(req(m, dir, driverData));
  });

  it(`500s that do not stop fail after ${MAX_ATTEMPTS} attempts with a named error quoting AWS`, async () => {
    fake.fail('DescribeRegions', 500, 'InternalError', 'An internal error has occurred', 100);
    const before = fake.count('DescribeRegions');
    const msg = await refusal(driver.preCreateCheck(req(spec('down'), dir)));
    expect(msg).toBe('down: DescribeRegions failed: InternalError (HTTP 500): An internal error has occurred');
    expect(fake.count('DescribeRegions') - before).toBe(MAX_ATTEMPTS);
  });

  it('a 4xx is not retried and names the operation and AWS code', async () => {
    fake.fail('ImportKeyPair', 400, 'InvalidKey.Format', 'Key is not in valid OpenSSH public key format', 1);
    const before = fake.count('ImportKeyPair');
    const msg = await refusal(driver.create(req(spec('badkey'), dir)));
    expect(msg).toBe('badkey: driver amazonec2: ImportKeyPair failed: InvalidKey.Format (HTTP 400): Key is not in valid OpenSSH public key format');
    expect(fake.count('ImportKeyPair') - before).toBe(1);
    // The security group made before the refusal is not left behind by the remove of the tainted machine.
    await driver.remove(req(spec('badkey'), dir, {}));
    expect(fake.leftovers()).toEqual({ instances: [], keyPairs: [], groups: [] });
  });

  it('an instance that never runs times out, and the failed create removes the instance, key pair and group', async () => {
    fake.neverRunning = true;
    const m = spec('stuck', { wait_timeout: 1 });
    const msg = await refusal(driver.create(req(m, dir)));
    expect(msg).toMatch(/^stuck: driver amazonec2: instance i-\w+ is not running with a public address after 1 s \(state: pending; amazonec2\.wait_timeout\)$/);
    expect(fake.leftovers()).toEqual({ instances: [], keyPairs: [], groups: [] });
  });
});

it('the fake refuses what breaks the model (so the checks above are real)', async () => {
  const { decodeRequest } = await import('./ec2-model.js');
  expect(decodeRequest('Action=RunInstances&Version=2016-11-15&MinCount=1').violations).toEqual(['(input): required member MaxCount is missing']);
  expect(decodeRequest('Action=RunInstances&Version=2016-11-15&MinCount=1&MaxCount=x').violations).toContain('MaxCount: "x" is not an integer');
  expect(decodeRequest('Action=RunInstances&Version=2016-11-15&MinCount=1&MaxCount=1&InstanceType=t3.smal').violations[0]).toMatch(/InstanceType: "t3.smal" is not one of InstanceType's/);
  expect(decodeRequest('Action=RunInstances&Version=2016-11-15&MinCount=1&MaxCount=1&Colour=red').violations).toEqual(['RunInstances: unknown member Colour']);
  expect(decodeRequest('Action=LaunchRocket&Version=2016-11-15').violations[0]).toMatch(/operation "LaunchRocket" does not exist/);
  expect(decodeRequest('Action=DescribeInstances&Version=2016-11-15&Filter.1.Name=tag:a&Filter.1.Value.1=b').input).toEqual({ Filters: [{ Name: 'tag:a', Values: ['b'] }] });
  expect(ACCESS_KEY_ID).not.toBe(SECRET_ACCESS_KEY);
});
