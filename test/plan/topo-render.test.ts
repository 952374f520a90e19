import { describe, expect, it } from 'vitest';
import type { Plan, PlanNode } from '../../src/model/index.js';
import { plan, planToJson, renderPlanText, topoOrder } from '../../src/plan/index.js';
import { container, desired, emptyState, machine, notRefreshed } from './fixtures.js';

const node = (address: string, dependsOn: string[] = []): PlanNode => ({
  address,
  kind: 'container',
  machine: 'm1',
  name: address,
  action: 'create',
  reasons: [],
  before: null,
  after: {},
  dependsOn,
});

describe('topoOrder', () => {
  it('puts dependencies first and breaks ties by address', () => {
    expect(topoOrder({ nodes: [node('c', ['a']), node('b'), node('a'), node('d', ['c', 'b'])] })).toEqual(['a', 'b', 'c', 'd']);
  });

  it('throws on a cycle, naming it', () => {
    expect(() => topoOrder({ nodes: [node('a', ['c']), node('b', ['a']), node('c', ['b']), node('z')] })).toThrow(
      'dependency cycle: a -> c -> b -> a',
    );
  });

  it('throws on an edge to a node that is not in the plan', () => {
    expect(() => topoOrder({ nodes: [node('a', ['ghost'])] })).toThrow('a depends on ghost, which is not in the plan');
  });
});

describe('renderers', () => {
  const d = desired({ machines: [machine('m1')], containers: [container('web')] });
  const p: Plan = plan(d, emptyState(), notRefreshed);

  it('writes JSON with snake_case keys and the summary', () => {
    const j = planToJson(p);
    expect(j.format_version).toBe(1);
    expect(j.summary).toEqual({ add: 3, change: 0, destroy: 0 });
    expect(j.nodes.map((n) => [n.address, n.action, n.depends_on])).toEqual([
      ['container.web[m1]', 'create', ['image.nginx:1.27[m1]', 'machine.m1']],
      ['image.nginx:1.27[m1]', 'create', ['machine.m1']],
      ['machine.m1', 'create', []],
    ]);
  });

  it('colours only when asked', () => {
    expect(renderPlanText(p)).not.toContain('\u001b[');
    expect(renderPlanText(p, { color: true })).toContain('\u001b[');
  });
});
