// A container created as its engine died (the create reached the engine, the answer was lost) carries mfile's
// labels but is in no state. The rerun plans from the state (the engine did not answer at refresh and is started
// again by the apply), so the plan cannot see it: the apply itself must settle it, so that the rerun converges in
// one step and the next plan says no changes.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyPlan, createConnections, refresh } from '../../src/apply/index.js';
import type { Desired, Observed, Plan, State } from '../../src/model/index.js';
import { containerConfigHash, plan } from '../../src/plan/index.js';
import { cleanupProject, ensureTestImages, labelled } from '../helpers/image.js';
import { containerSpec, desiredOf, freshState, memoryStore } from '../helpers/fixtures.js';

const project = `mflo${process.pid}`;

const desiredAt = (gen: number): Desired =>
  desiredOf(project, {
    containers: [containerSpec('web', { command: ['sleep', '600'], init: true, network_mode: 'none', environment: { GEN: String(gen) }, stop_grace_period: 1e9 })],
  });

async function observe(desired: Desired, state: State): Promise<Observed> {
  const conns = createConnections(desired, state);
  try {
    return await refresh(desired, state, conns);
  } finally {
    await conns.closeAll();
  }
}

async function run(p: Plan, desired: Desired, state: State): Promise<State> {
  const r = await applyPlan({ plan: p, desired, store: memoryStore(), state, parallelism: 4, perMachine: 4, sink: () => {}, signal: new AbortController().signal });
  expect(r.failed).toEqual([]);
  return r.state;
}

/** What a replace left when the engine died as it created the new container under its temporary name. */
function leftover(desired: Desired, name: string, gen: number): void {
  const hash = containerConfigHash(desired.containers.web, project, desired.sensitiveDigests);
  const labels = { 'io.mfile.project': project, 'io.mfile.machine': 'm1', 'io.mfile.name': 'web', 'io.mfile.config-hash': hash };
  execFileSync(
    'docker',
    ['create', '--network', 'none', '--name', name, ...Object.entries(labels).flatMap(([k, v]) => ['--label', `${k}=${v}`]), '-e', `GEN=${gen}`, 'mfile-test/busybox:1', 'sleep', '600'],
    { stdio: 'ignore' },
  );
}

/** The engine did not answer when the rerun refreshed (dockerd killed): objects on m1 are planned from the state. */
const engineDown: Observed = {
  refreshed: true,
  at: new Date().toISOString(),
  machines: { m1: { name: 'm1', status: 'error', error: 'm1: engine unreachable: connect ECONNREFUSED', engineDown: true, containers: [], networks: [], volumes: [], images: [] } },
};

beforeAll(() => ensureTestImages(), 60_000);
afterAll(() => cleanupProject(project));

describe('a rerun planned while the engine did not answer', () => {
  let state: State = freshState();

  beforeAll(async () => {
    const d0 = desiredAt(0);
    state = await run(plan(d0, state, await observe(d0, state)), d0, state);
    expect(labelled(project).containers).toEqual([`${project}-web`]);
  }, 60_000);

  it('a replace removes the labelled leftover of the interrupted one: the next plan has no changes', async () => {
    const d1 = desiredAt(1);
    leftover(d1, `${project}-web-mfile-0a1b2c`, 1);
    const rerun = plan(d1, state, engineDown);
    expect(rerun.nodes.find((n) => n.address === 'container.web[m1]')?.action).toBe('replace');
    state = await run(rerun, d1, state);

    expect(labelled(project).containers).toEqual([`${project}-web`]);
    const next = plan(d1, state, await observe(d1, state));
    expect(next.nodes.filter((n) => n.action !== 'noop').map((n) => `${n.action} ${n.address}`)).toEqual([]);
  }, 60_000);

  it('a create over a lost record removes the leftover too', async () => {
    const d2 = desiredAt(2);
    // The state lost the record (say, the leftover was all there was), the engine still holds a labelled one.
    const { ['container.web[m1]']: _gone, ...objects } = state.objects;
    state = { ...state, objects };
    execFileSync('docker', ['rm', '-f', `${project}-web`], { stdio: 'ignore' });
    leftover(d2, `${project}-web-mfile-3d4e5f`, 2);
    const rerun = plan(d2, state, engineDown);
    expect(rerun.nodes.find((n) => n.address === 'container.web[m1]')?.action).toBe('create');
    state = await run(rerun, d2, state);

    expect(labelled(project).containers).toEqual([`${project}-web`]);
    const next = plan(d2, state, await observe(d2, state));
    expect(next.nodes.filter((n) => n.action !== 'noop').map((n) => `${n.action} ${n.address}`)).toEqual([]);
  }, 60_000);
});
