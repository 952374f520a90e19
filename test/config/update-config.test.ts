// deploy.update_config on a container: Compose's keys, mfile's defaults, durations in nanoseconds, bad values
// refused at their line and column.
import { describe, expect, it } from 'vitest';
import { HEAD, issues, load } from './helpers.js';

describe('deploy.update_config', () => {
  it('takes Compose keys with durations in nanoseconds', async () => {
    const d = await load(`${HEAD}containers:
  web:
    image: w
    deploy:
      update_config: { parallelism: 2, delay: 10s, order: start-first, failure_action: continue, monitor: 1m30s }
`);
    expect(d.containers.web.update_config).toEqual({ parallelism: 2, delay: 10e9, order: 'start-first', failure_action: 'continue', monitor: 90e9 });
  });

  it('fills the defaults: one machine at a time, stop-first, rollback, no delay or monitor', async () => {
    const d = await load(`${HEAD}containers:\n  web:\n    image: w\n    deploy: { update_config: {} }\n`);
    expect(d.containers.web.update_config).toEqual({ parallelism: 1, delay: 0, order: 'stop-first', failure_action: 'rollback', monitor: 0 });
  });

  it('is absent without the block', async () => {
    const d = await load(`${HEAD}containers:\n  web:\n    image: w\n`);
    expect(d.containers.web.update_config).toBeUndefined();
  });

  it('refuses an unknown order and a bad duration at their positions', async () => {
    const found = await issues(`${HEAD}containers:
  web:
    image: w
    deploy:
      update_config: { order: sideways, delay: soon }
`);
    expect(found).toEqual([
      'machines.yml:9:31: containers.web.deploy.update_config.order: must be one of: stop-first, start-first',
      "machines.yml:9:48: containers.web.deploy.update_config.delay: 'soon' must be a duration like 30s, 1m30s or 100ms",
    ]);
  });
});

describe('deploy.update_config.max_failure_ratio', () => {
  it('is refused with a reason', async () => {
    const found = await issues(`${HEAD}containers:\n  web:\n    image: w\n    deploy:\n      update_config: { max_failure_ratio: 0.5 }\n`);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^machines\.yml:9:24: max_failure_ratio: not supported: mfile v1 does not implement this Compose key: one failed machine stops/);
  });
});
