// Rolling updates (deploy.update_config) as the plan shows them: batches in the order of the container's
// machines list, edges from each batch to the one before, the replace order (and its fallback), and no change
// at all for containers without update_config.
import { describe, expect, it } from 'vitest';
import type { ContainerSpec, Desired, ObservedContainer, PlanNode, UpdateConfigSpec } from '../../src/model/index.js';
import { plan, renderPlanText, topoOrder } from '../../src/plan/index.js';
import { clone, container, converged, desired, machine } from './fixtures.js';

const UC: UpdateConfigSpec = { parallelism: 1, delay: 0, order: 'stop-first', failure_action: 'rollback', monitor: 0 };

function fleet(machines: string[], over: Partial<ContainerSpec> = {}): Desired {
  return desired({
    machines: [...machines].sort().map((m) => machine(m)),
    containers: [container('web', { machines, ports: [{ target: 80, published: '8080', protocol: 'tcp' }], ...over })],
  });
}

/** Plans the image change of web on a converged fleet; `change` edits the new Desired further. */
function planChange(machines: string[], update: UpdateConfigSpec | undefined, change: (d: Desired) => void = () => {}): ReturnType<typeof plan> {
  const d = fleet(machines, update ? { update_config: update } : {});
  const { state, observed } = converged(d);
  const next = clone(d);
  next.containers.web.image = 'nginx:1.28';
  change(next);
  return plan(next, state, observed);
}

const node = (p: ReturnType<typeof plan>, address: string): PlanNode => p.nodes.find((n) => n.address === address)!;
const containerOrder = (p: ReturnType<typeof plan>): string[] => topoOrder(p).filter((a) => a.startsWith('container.'));

describe('rolling updates in the plan', () => {
  it('replaces one machine per batch, in the order of the machines list, each batch after the one before', () => {
    const p = planChange(['m3', 'm1', 'm2'], UC);
    expect(['m3', 'm1', 'm2'].map((m) => node(p, `container.web[${m}]`).rolling)).toEqual([
      { batch: 1, batches: 3, delayMs: 0, monitorMs: 0, failureAction: 'rollback' },
      { batch: 2, batches: 3, delayMs: 0, monitorMs: 0, failureAction: 'rollback' },
      { batch: 3, batches: 3, delayMs: 0, monitorMs: 0, failureAction: 'rollback' },
    ]);
    expect(node(p, 'container.web[m3]').dependsOn).not.toContain('container.web[m1]');
    expect(node(p, 'container.web[m1]').dependsOn).toContain('container.web[m3]');
    expect(node(p, 'container.web[m2]').dependsOn).toContain('container.web[m1]');
    expect(containerOrder(p)).toEqual(['container.web[m3]', 'container.web[m1]', 'container.web[m2]']);
    const text = renderPlanText(p);
    expect(text).toContain('  # rolling update: batch 1 of 3, on failure rollback\n');
    expect(text).toContain('  # rolling update: batch 2 of 3 (after container.web[m3]), on failure rollback\n');
    expect(text).toContain('  # replace: stop the old container first (update_config.order stop-first)\n');
    expect(text).toMatch(/^Plan: 6 to add, 0 to change, 3 to destroy\.$/m);
  });

  it('parallelism 2 on five machines makes batches of 2, 2 and 1; delay is waited before every batch but the first', () => {
    const machines = ['m1', 'm2', 'm3', 'm4', 'm5'];
    const p = planChange(machines, { ...UC, parallelism: 2, delay: 10e9, monitor: 5e9 });
    expect(machines.map((m) => [node(p, `container.web[${m}]`).rolling?.batch, node(p, `container.web[${m}]`).rolling?.delayMs])).toEqual([
      [1, 0], [1, 0], [2, 10_000], [2, 10_000], [3, 10_000],
    ]);
    const batch3 = node(p, 'container.web[m5]').dependsOn.filter((d) => d.startsWith('container.'));
    expect(batch3).toEqual(['container.web[m3]', 'container.web[m4]']);
    expect(node(p, 'container.web[m2]').dependsOn.filter((d) => d.startsWith('container.'))).toEqual([]);
    expect(renderPlanText(p)).toContain('  # rolling update: batch 3 of 3 (after container.web[m3], container.web[m4]), wait 10s first, monitor 5s, on failure rollback\n');
  });

  it('parallelism 0 replaces every machine in one batch', () => {
    const p = planChange(['m1', 'm2', 'm3'], { ...UC, parallelism: 0 });
    for (const m of ['m1', 'm2', 'm3']) {
      expect(node(p, `container.web[${m}]`).rolling).toMatchObject({ batch: 1, batches: 1 });
      expect(node(p, `container.web[${m}]`).dependsOn.filter((d) => d.startsWith('container.'))).toEqual([]);
    }
  });

  it('start-first with a published port falls back to stop-first, and the plan says why', () => {
    const p = planChange(['m1', 'm2'], { ...UC, order: 'start-first' });
    expect(node(p, 'container.web[m1]').replaceStrategy).toEqual({ kind: 'stop-first', because: ['published port 8080'] });
    expect(p.warnings).toContain(
      'container web: update_config.order start-first falls back to stop-first (published port 8080): each machine stops its old container before the new one starts',
    );
  });

  it('start-first without published ports starts the new container first', () => {
    const p = planChange(['m1', 'm2'], { ...UC, order: 'start-first' }, (d) => (d.containers.web.ports = []));
    expect(node(p, 'container.web[m2]').replaceStrategy).toEqual({ kind: 'start-first' });
    expect(p.warnings.filter((w) => w.includes('start-first'))).toEqual([]);
  });

  it('failure_action continue orders the batches without making them depend on each other', () => {
    const p = planChange(['m1', 'm2', 'm3'], { ...UC, failure_action: 'continue' });
    expect(node(p, 'container.web[m2]').runsAfter).toEqual(['container.web[m1]']);
    expect(node(p, 'container.web[m3]').runsAfter).toEqual(['container.web[m2]']);
    expect(node(p, 'container.web[m2]').dependsOn).not.toContain('container.web[m1]');
    expect(containerOrder(p)).toEqual(['container.web[m1]', 'container.web[m2]', 'container.web[m3]']);
    expect(renderPlanText(p)).toContain('  # rolling update: batch 2 of 3 (after container.web[m1]), on failure continue\n');
  });

  it('only machines whose container changes are batched', () => {
    const d = fleet(['m1', 'm2', 'm3'], { update_config: UC });
    const { state, observed } = converged(d);
    const next = clone(d);
    next.containers.web.image = 'nginx:1.28';
    // m2 already runs the new version (its label carries the new hash).
    const onM2 = converged(next).observed.machines.m2;
    observed.machines.m2 = onM2;
    const p = plan(next, state, observed);
    expect(node(p, 'container.web[m2]').rolling).toBeUndefined();
    expect(node(p, 'container.web[m1]').rolling).toMatchObject({ batch: 1, batches: 2 });
    expect(node(p, 'container.web[m3]').rolling).toMatchObject({ batch: 2, batches: 2 });
    expect(node(p, 'container.web[m3]').dependsOn).toContain('container.web[m1]');
  });

  it('without update_config a change replaces every machine at once, as before', () => {
    const p = planChange(['m1', 'm2', 'm3'], undefined);
    for (const m of ['m1', 'm2', 'm3']) {
      const n = node(p, `container.web[${m}]`);
      expect(n.rolling).toBeUndefined();
      expect(n.runsAfter).toBeUndefined();
      expect(n.dependsOn.filter((d) => d.startsWith('container.'))).toEqual([]);
      expect(n.replaceStrategy).toEqual({ kind: 'stop-first', because: ['published port 8080'] });
    }
  });

  it('adding or changing update_config alone changes nothing', () => {
    const d = fleet(['m1', 'm2'], {});
    const { state, observed } = converged(d);
    const next = clone(d);
    next.containers.web.update_config = { ...UC, parallelism: 2, order: 'start-first' };
    expect(renderPlanText(plan(next, state, observed))).toContain('No changes.');
  });
});

describe('a rolling step killed midway: the next plan reads what it left', () => {
  /** web on m1 and m2, updated to nginx:1.28 in the file; on m1 the killed step left its containers as `leave` says. */
  function interrupted(leave: (prev: ObservedContainer, next: ObservedContainer) => ObservedContainer[]): ReturnType<typeof plan> {
    const d = fleet(['m1', 'm2'], { update_config: UC });
    const { state, observed } = converged(d);
    const next = clone(d);
    next.containers.web.image = 'nginx:1.28';
    const old = observed.machines.m1.containers[0];
    const prev: ObservedContainer = { ...old, name: `${old.name}-mfile-previous-a1b2c3`, state: 'exited', exitCode: 143 };
    const fresh: ObservedContainer = { ...converged(next).observed.machines.m1.containers[0], id: 'c-new-m1' };
    observed.machines.m1.containers = leave(prev, fresh);
    return plan(next, state, observed);
  }

  it('stopped-first and killed before the new container: the update goes on from the previous version, and puts it back running if it fails', () => {
    const p = interrupted((prev) => [prev]);
    const n = node(p, 'container.web[m1]');
    expect(n).toMatchObject({ action: 'replace', existingId: 'c-web-m1', previousRan: true, rolling: { batch: 1, batches: 2 } });
    expect(n.reasons).toEqual(['an interrupted rolling update left it as shop-web-mfile-previous-a1b2c3, stopped', 'image changed: nginx:1.27 -> nginx:1.28']);
    expect(p.nodes.filter((x) => x.address.startsWith('container.web[m1]#'))).toEqual([]);
  });

  it('killed after the new container was made: it is kept and started, the previous version removed, no second replace', () => {
    const p = interrupted((prev, fresh) => [prev, { ...fresh, state: 'created' }]);
    expect(node(p, 'container.web[m1]')).toMatchObject({ action: 'update', existingId: 'c-new-m1', reasons: ['the new version of an interrupted rolling update is in place', 'created but never started'] });
    expect(node(p, 'container.web[m1]#c-web-m1')).toMatchObject({
      action: 'delete', existingId: 'c-web-m1', reasons: ['the previous version shop-web-mfile-previous-a1b2c3, left by an interrupted rolling update'],
    });
    // m2 still gets its batch; nothing replaces m1 again.
    expect(p.nodes.filter((x) => x.action === 'replace').map((x) => x.address)).toEqual(['container.web[m2]']);
  });

  it('killed after the new container started: the plan only removes the previous version', () => {
    const p = interrupted((prev, fresh) => [prev, fresh]);
    expect(node(p, 'container.web[m1]')).toMatchObject({ action: 'noop', existingId: 'c-new-m1' });
    expect(p.nodes.filter((x) => x.address.startsWith('container.web[m1]') && x.action !== 'noop').map((x) => x.action)).toEqual(['delete']);
  });
});

describe('rolling updates in plan --json', () => {
  it('carries each batch and the order-only edges', async () => {
    const { planToJson } = await import('../../src/plan/render-json.js');
    const p = planChange(['m1', 'm2'], { ...UC, failure_action: 'continue', delay: 2e9 });
    const web2 = planToJson(p).nodes.find((n) => n.address === 'container.web[m2]');
    expect(web2?.rolling).toEqual({ batch: 2, batches: 2, delay_ms: 2000, monitor_ms: 0, failure_action: 'continue' });
    expect(web2?.runs_after).toEqual(['container.web[m1]']);
  });
});
