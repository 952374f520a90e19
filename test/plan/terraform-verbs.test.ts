// The planner's parts of Terraform's verbs: a record moved by `state mv`, `-replace`, refresh-only drift, DOT.
import { describe, expect, it } from 'vitest';
import { plan, REPLACE_REQUESTED } from '../../src/plan/planner.js';
import { applyDrift, refreshOnlyDrift } from '../../src/plan/refresh-only.js';
import { renderPlanDot } from '../../src/plan/render-dot.js';
import { removeRecords, moveRecord } from '../../src/state/state-edit.js';
import { clone, container, converged, containerId, desired, machine, T } from './fixtures.js';

const d = desired({ machines: [machine('m1')], containers: [container('web', { machines: ['m1'] }), container('db', { machines: ['m1'] })] });

describe('Terraform verbs in the planner', () => {
  it('a container record moved by state mv after a rename is found by its id: no create, no delete', () => {
    const { state, observed } = converged(d);
    const renamed = clone(d);
    renamed.containers.app = { ...renamed.containers.web, name: 'app' };
    delete renamed.containers.web;
    moveRecord(state, 'container.web[m1]', 'container.app[m1]');
    const p = plan(renamed, state, observed);
    expect(p.nodes.filter((n) => n.action !== 'noop').map((n) => `${n.action} ${n.address}`)).toEqual([]);
    expect(p.nodes.find((n) => n.address === 'container.app[m1]')?.existingId).toBe(containerId('web', 'm1'));
    // Destroying it deletes that one container once.
    const gone = plan(renamed, state, observed, { destroy: true });
    expect(gone.nodes.filter((n) => n.existingId === containerId('web', 'm1')).map((n) => n.address)).toEqual(['container.app[m1]']);
  });

  it('-replace turns an unchanged container and machine into replaces with the reason', () => {
    const { state, observed } = converged(d);
    const p = plan(d, state, observed, { replace: ['container.web[m1]'] });
    const web = p.nodes.find((n) => n.address === 'container.web[m1]')!;
    expect([web.action, web.reasons]).toEqual(['replace', [REPLACE_REQUESTED]]);
    expect(p.nodes.find((n) => n.address === 'container.db[m1]')!.action).toBe('noop');
    const m = plan(d, state, observed, { replace: ['machine.m1'] }).nodes.find((n) => n.address === 'machine.m1')!;
    expect([m.action, m.reasons]).toEqual(['replace', [REPLACE_REQUESTED]]);
  });

  it('refresh-only: a forgotten labelled container is recorded again, a deleted one forgotten; applying touches only records', () => {
    const { state, observed } = converged(d);
    removeRecords(state, ['container.db[m1]']);
    observed.machines.m1.containers = observed.machines.m1.containers.filter((c) => c.id !== containerId('web', 'm1'));
    const drift = refreshOnlyDrift(state, observed, plan(d, state, observed), d.drivers, T);
    expect(drift.entries.map((e) => `${e.change} ${e.address}`)).toEqual(['record container.db[m1]', 'forget container.web[m1]']);
    const next = applyDrift(state, drift);
    expect(Object.keys(next.objects).sort()).toEqual(['container.db[m1]']);
    expect(next.objects['container.db[m1]'].id).toBe(containerId('db', 'm1'));
    expect(next.objects['container.db[m1]'].attributes).toEqual(plan(d, state, observed).nodes.find((n) => n.address === 'container.db[m1]')!.after);
    expect(next.machines).toEqual(state.machines);
  });

  it('DOT lists every node and each dependsOn edge in address order', () => {
    const p = plan(d, converged(d).state, converged(d).observed);
    const dot = renderPlanDot(p);
    expect(dot).toContain('  "container.web[m1]" -> "machine.m1";');
    expect(dot).toBe(renderPlanDot({ ...p, nodes: [...p.nodes].reverse() }));
  });
});
