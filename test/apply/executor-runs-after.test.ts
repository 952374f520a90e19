// Order-only edges (runsAfter, a rolling update with failure_action continue): the node waits for them to
// finish, and a failure along them skips nothing.
import { expect, it } from 'vitest';
import { applyPlan, type StepHandler } from '../../src/apply/index.js';
import type { Connections } from '../../src/apply/connections.js';
import { desiredOf, freshState, memoryStore, node, planOf } from '../helpers/fixtures.js';

it('a node with runsAfter starts after those nodes settle and runs even when one of them failed', async () => {
  const order: string[] = [];
  const h: StepHandler = {
    run: async (ctx) => {
      await new Promise((r) => setTimeout(r, ctx.node.machine === 'm1' ? 20 : 0));
      order.push(ctx.node.address);
      if (ctx.node.machine === 'm1') throw new Error('new container did not become healthy');
      return { record: { id: `id-${ctx.node.machine}` } };
    },
  };
  const r = await applyPlan({
    plan: planOf([
      node('container.web[m1]', 'replace'),
      node('container.web[m2]', 'replace', [], { runsAfter: ['container.web[m1]'] }),
      node('container.web[m3]', 'replace', [], { runsAfter: ['container.web[m2]'] }),
    ]),
    desired: desiredOf('t', {}), store: memoryStore(), state: freshState(), parallelism: 10, perMachine: 4, sink: () => {},
    signal: new AbortController().signal, conns: { closeAll: async () => {} } as unknown as Connections,
    handlers: { machine: h, network: h, volume: h, image: h, container: h },
  });
  expect(order).toEqual(['container.web[m1]', 'container.web[m2]', 'container.web[m3]']);
  expect(r.failed.map((f) => f.address)).toEqual(['container.web[m1]']);
  expect(r.skipped).toEqual([]);
  expect(r.done).toEqual(['container.web[m2]', 'container.web[m3]']);
});
