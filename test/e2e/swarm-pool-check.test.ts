// The swarm's default address pool against the address a machine advertises, checked when the apply knows it:
// a machine whose own address lies in the pool (overlay networks take their subnets from it) is refused before
// the engine is told, with one line naming the machine, the address and the pool; the state stays valid, the
// engine stays out of any swarm, and once the file gives a pool clear of it a rerun converges. The plan picks
// a clear pool itself when the file sets none (test/plan/swarm-plan.test.ts); this is the file (or a cloud
// machine's address, known only once it exists) getting it wrong.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { cliProject, type CliProject } from '../helpers/cli-project.js';
import { ensureBuilt } from '../helpers/cli.js';
import { describeNeeding, SANDBOX } from '../helpers/prerequisites.js';

const SUBNET = '10.213.97.0/24';

const config = (pool: string): string => `version: 1
project: swpool
swarm: { default_addr_pool: [${pool}], subnet_size: 26 }
machines:
  m1: { driver: sandbox, sandbox: { subnet: ${SUBNET} }, swarm: { role: manager } }
`;

describeNeeding(SANDBOX)('a swarm address pool that holds the machine\'s own address', () => {
  let p: CliProject;

  beforeAll(() => {
    ensureBuilt();
    p = cliProject('swarm-pool');
  });

  afterAll(() => {
    if (p) p.run(['destroy', '-y'], { timeoutMs: 300_000 });
  }, 300_000);

  it('apply refuses to initialise the swarm on it, in one line naming the machine, its address and the pool; the machine is kept and stays out of any swarm', () => {
    p.write(config('10.213.96.0/22'));
    const r = p.run(['apply', '-y'], { timeoutMs: 300_000 });
    expect(r.code, r.stdout + r.stderr).not.toBe(0);
    // The plan knew the machine's subnet and said so before anything was made.
    expect(r.stdout + r.stderr).toContain("swarm: default_addr_pool 10.213.96.0/22 overlaps the machines' addresses 10.213.97.0/24");
    const ip = p.state().machines.m1?.ssh?.host;
    expect(ip).toMatch(/^10\.213\.97\.\d+$/);
    const line = (r.stdout + r.stderr).split('\n').find((l) => l.includes('would advertise'));
    expect(line, r.stdout + r.stderr).toContain(`machine m1 would advertise ${ip} to the swarm, inside its default address pool 10.213.96.0/22`);
    expect(line).toContain(`set swarm.default_addr_pool to a range clear of ${ip}`);
    expect(p.state().swarm?.nodes?.m1).toBeUndefined();
    const info = p.docker('m1', ['info', '--format', '{{.Swarm.LocalNodeState}}']);
    expect(info.stdout.trim(), info.stderr).toBe('inactive');
  }, 300_000);

  it('with a pool clear of it, a rerun initialises the swarm and a second plan has no changes', () => {
    p.write(config('10.213.98.0/24'));
    const r = p.run(['apply', '-y'], { timeoutMs: 300_000 });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const info = p.docker('m1', ['info', '--format', '{{.Swarm.LocalNodeState}} {{.Swarm.NodeAddr}}']);
    expect(info.stdout.trim()).toBe(`active ${p.state().machines.m1.ssh!.host}`);
    const plan = p.run(['plan', '--detailed-exitcode']);
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);
  }, 300_000);
});
