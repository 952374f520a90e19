// The executor with fake step handlers: ordering, failure isolation, concurrency caps, interrupt, checkpoints.
import { describe, expect, it } from 'vitest';
import { applyPlan } from '../../src/apply/index.js';
import type { StepHandler, StepHandlers } from '../../src/apply/index.js';
import type { Connections } from '../../src/apply/connections.js';
import type { PlanNode, ProgressEvent } from '../../src/model/index.js';
import { desiredOf, freshState, memoryStore, node, planOf } from '../helpers/fixtures.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const noConns = { closeAll: async () => {} } as unknown as Connections;

function fakeHandlers(behaviour: (n: PlanNode) => Promise<void>): StepHandlers {
  const h: StepHandler = {
    run: async (ctx) => {
      await behaviour(ctx.node);
      return ctx.node.action === 'delete' ? { record: null } : { record: { id: `id-${ctx.node.name}` } };
    },
  };
  return { machine: h, network: h, volume: h, image: h, container: h };
}

function run(nodes: PlanNode[], behaviour: (n: PlanNode) => Promise<void>, opts: { parallelism?: number; perMachine?: number; signal?: AbortSignal } = {}) {
  const events: ProgressEvent[] = [];
  const store = memoryStore();
  const p = applyPlan({
    plan: planOf(nodes),
    desired: desiredOf('t', {}),
    store,
    state: freshState(),
    parallelism: opts.parallelism ?? 10,
    perMachine: opts.perMachine ?? 4,
    sink: (e) => events.push(e),
    signal: opts.signal ?? new AbortController().signal,
    conns: noConns,
    handlers: fakeHandlers(behaviour),
  });
  return { p, events, store };
}

describe('applyPlan executor', () => {
  it('runs a node only after everything it depends on', async () => {
    const order: string[] = [];
    const { p } = run(
      [node('container.web[m1]', 'create', ['network.n[m1]', 'container.db[m1]']), node('container.db[m1]', 'create', ['network.n[m1]']), node('network.n[m1]', 'create')],
      async (n) => {
        await sleep(5);
        order.push(n.address);
      },
    );
    const r = await p;
    expect(order).toEqual(['network.n[m1]', 'container.db[m1]', 'container.web[m1]']);
    expect(r.done.sort()).toEqual(['container.db[m1]', 'container.web[m1]', 'network.n[m1]']);
    expect(r.counts).toEqual({ added: 3, changed: 0, destroyed: 0 });
  });

  it('a failure skips only its dependents, naming the root cause; independent branches finish', async () => {
    const { p, events } = run(
      [
        node('container.db[m1]', 'create'),
        node('container.api[m1]', 'create', ['container.db[m1]']),
        node('container.web[m1]', 'create', ['container.api[m1]']),
        node('container.other[m1]', 'create'),
      ],
      async (n) => {
        if (n.name === 'db') throw new Error('boom: port is already allocated');
        await sleep(20);
      },
    );
    const r = await p;
    expect(r.failed).toEqual([{ address: 'container.db[m1]', error: 'boom: port is already allocated' }]);
    expect(r.skipped).toEqual([
      { address: 'container.api[m1]', cause: 'depends on container.db[m1], which failed' },
      { address: 'container.web[m1]', cause: 'depends on container.db[m1], which failed' },
    ]);
    expect(r.done).toEqual(['container.other[m1]']);
    expect(r.state.objects['container.other[m1]'].id).toBe('id-other');
    expect(r.state.objects['container.db[m1]']).toBeUndefined();
    expect(events.filter((e) => e.status === 'failed').map((e) => e.id)).toEqual(['container.db[m1]']);
  });

  it('respects the overall cap and the per-machine cap', async () => {
    let active = 0;
    let peak = 0;
    const perMachine = new Map<string, number>();
    let peakMachine = 0;
    const nodes = Array.from({ length: 24 }, (_, i) => node(`container.c${i}[m${i % 3}]`, 'create'));
    const { p } = run(
      nodes,
      async (n) => {
        active++;
        perMachine.set(n.machine, (perMachine.get(n.machine) ?? 0) + 1);
        peak = Math.max(peak, active);
        peakMachine = Math.max(peakMachine, perMachine.get(n.machine)!);
        await sleep(10);
        active--;
        perMachine.set(n.machine, perMachine.get(n.machine)! - 1);
      },
      { parallelism: 5, perMachine: 2 },
    );
    const r = await p;
    expect(r.done).toHaveLength(24);
    expect(peak).toBe(5);
    expect(peakMachine).toBe(2);
  });

  it('stops scheduling on interrupt, lets running steps finish and writes state', async () => {
    const ac = new AbortController();
    const nodes = Array.from({ length: 10 }, (_, i) => node(`container.c${i}[m1]`, 'create'));
    // A barrier, not a sleep: the abort comes once c0 and c1 are both running, and both finish after it.
    let running = 0;
    let bothRunning!: () => void;
    const both = new Promise<void>((r) => (bothRunning = r));
    const { p, store } = run(
      nodes,
      async (n) => {
        if (++running === 2) bothRunning();
        await both;
        if (n.name === 'c0') ac.abort();
        await Promise.resolve();
      },
      { parallelism: 2, perMachine: 2, signal: ac.signal },
    );
    const r = await p;
    expect(r.interrupted).toBe(true);
    expect(r.done.sort()).toEqual(['container.c0[m1]', 'container.c1[m1]']);
    expect(r.notStarted).toHaveLength(8);
    expect(Object.keys(store.writes.at(-1)!.objects).sort()).toEqual(['container.c0[m1]', 'container.c1[m1]']);
  });

  it('writes state after finished nodes and removes records of deletes', async () => {
    const state = freshState();
    state.objects['container.old[m1]'] = { address: 'container.old[m1]', kind: 'container', machine: 'm1', name: 'old', id: 'x', status: 'created', attributes: {}, updatedAt: '' };
    const store = memoryStore();
    const r = await applyPlan({
      plan: planOf([node('container.old[m1]', 'delete'), node('container.new[m1]', 'create', [], { after: { image: 'a' } })]),
      desired: desiredOf('t', {}),
      store,
      state,
      parallelism: 1,
      perMachine: 1,
      sink: () => {},
      signal: new AbortController().signal,
      conns: noConns,
      handlers: fakeHandlers(async () => sleep(5)),
    });
    expect(store.writes.length).toBeGreaterThanOrEqual(1);
    expect(r.state.objects['container.old[m1]']).toBeUndefined();
    expect(r.state.objects['container.new[m1]']).toMatchObject({ id: 'id-new', status: 'created', attributes: { image: 'a' } });
    expect(r.state.serial).toBe(store.writes.at(-1)!.serial);
  });

  it('noop nodes are not run and do not block their dependents', async () => {
    const ran: string[] = [];
    const { p } = run([node('network.n[m1]', 'noop'), node('container.a[m1]', 'create', ['network.n[m1]'])], async (n) => void ran.push(n.address));
    const r = await p;
    expect(ran).toEqual(['container.a[m1]']);
    expect(r.done).toEqual(['container.a[m1]']);
  });

  it('hands a node the plan marks removedWithMachine to no step: the machine\'s removal takes it', async () => {
    const handled: string[] = [];
    const { p, events } = run(
      [
        node('container.web[m1]', 'delete', [], { removedWithMachine: true }),
        node('container.api[m2]', 'delete'),
        node('machine.m1', 'delete', ['container.web[m1]']),
      ],
      async (n) => void handled.push(n.address),
    );
    const r = await p;
    expect(handled.sort()).toEqual(['container.api[m2]', 'machine.m1']);
    expect(r.done.sort()).toEqual(['container.api[m2]', 'container.web[m1]', 'machine.m1']);
    expect(events.some((e) => e.id === 'container.web[m1]' && e.text === 'removed with machine m1')).toBe(true);
  });
});
