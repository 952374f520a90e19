// `mfile plan` with an amazonec2 machine, through the built CLI against the fake EC2 (no hosts needed): the
// plan states the default sources and flags the world-open engine port; a misspelt instance type and wrong
// credentials are one line naming the machine and driver, exit 1, and no secret is printed or stored.
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { ensureBuilt, REPO_ROOT } from '../../helpers/cli.js';
import { FakeEc2, SECRET_ACCESS_KEY } from './fake-ec2.js';
import { ec2TestEnv } from './ec2-env.js';
import { mfileAsync } from './mfile-async.js';

let fake: FakeEc2;
let env: Record<string, string>;
let dir = '';

const yaml = (block: string): string => `version: 1
project: ec2plan
machines:
  web:
    driver: amazonec2
    amazonec2: ${block}
`;

async function plan(block: string, over: Record<string, string> = {}) {
  writeFileSync(path.join(dir, 'machines.yml'), yaml(block));
  return mfileAsync(['plan', '-f', 'machines.yml'], dir, { ...env, ...over }).done;
}

beforeAll(async () => {
  ensureBuilt();
  fake = new FakeEc2();
  env = ec2TestEnv(await fake.listen());
  const base = path.join(REPO_ROOT, '.test-work');
  mkdirSync(base, { recursive: true, mode: 0o700 });
  dir = mkdtempSync(path.join(base, 'ec2plan-'));
});
afterAll(() => fake.close());
afterEach(() => {
  expect(fake.violations).toEqual([]);
  expect(fake.badAnswers).toEqual([]);
});

it('plans the machine and flags the engine port the default sources open to the world', async () => {
  const r = await plan('{}');
  expect(r.code, r.stderr).toBe(0);
  const out = r.stdout + r.stderr;
  expect(out).toContain('Plan: 1 to add, 0 to change, 0 to destroy.');
  expect(out).toContain('machine web: its firewall opens the Docker API port 2376 to the whole internet (amazonec2.engine_sources defaults to 0.0.0.0/0 and ::/0): only mutual TLS guards it');
  expect(fake.leftovers()).toEqual({ instances: [], keyPairs: [], groups: [] });
});

it('no warning when the engine port is open to named addresses only', async () => {
  const r = await plan('{ engine_sources: [198.51.100.0/24] }');
  expect(r.code, r.stderr).toBe(0);
  expect(r.stdout + r.stderr).not.toContain('whole internet');
});

it('a misspelt instance type fails the plan in one line with the closest types', async () => {
  const r = await plan('{ instance_type: t3.smal }');
  expect(r.code).toBe(1);
  const lines = r.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/web: driver amazonec2 cannot create it: instance type t3\.smal is not offered in us-east-1; closest: t3\.small, /);
});

it('wrong credentials: one line naming the driver, exit 1, no secret anywhere', async () => {
  const r = await plan('{}', { AWS_ACCESS_KEY_ID: 'AKIAWRONGWRONGWRONG1', AWS_SECRET_ACCESS_KEY: 'wrong-secret-value' });
  expect(r.code).toBe(1);
  const lines = r.stderr.trim().split('\n');
  expect(lines).toEqual(['Error: web: driver amazonec2 cannot create it: DescribeRegions failed: AuthFailure (HTTP 401): AWS was not able to validate the provided access credentials']);
  for (const secret of ['wrong-secret-value', SECRET_ACCESS_KEY, 'AKIAWRONG']) expect(r.stdout + r.stderr).not.toContain(secret);
  expect(existsSync(path.join(dir, '.mfile/state.json'))).toBe(false);
});

it('throttled answers at plan time are retried and the plan goes through', async () => {
  fake.fail('DescribeImages', 503, 'RequestLimitExceeded', 'Request limit exceeded.', 2);
  const before = fake.count('DescribeImages');
  const r = await plan('{}');
  expect(r.code, r.stderr).toBe(0);
  expect(fake.count('DescribeImages') - before).toBe(3);
});
