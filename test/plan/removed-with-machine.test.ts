// The planner decides which deletes go with their machine (the driver's removesHostedObjects trait), so the
// executor makes no engine call for them; the plan text and JSON show it.
import { describe, expect, it } from 'vitest';
import { plan, planToJson, renderPlanText } from '../../src/plan/index.js';
import { container, converged, desired, machine } from './fixtures.js';

function destroyPlan(driver: string, driverOptions: Record<string, unknown>) {
  const d = desired({ machines: [machine('m1', { driver, driverOptions })], containers: [container('web', { machines: ['m1'] })] });
  const { state, observed } = converged(d);
  return plan(d, state, observed, { destroy: true });
}

describe('removedWithMachine', () => {
  it('marks the objects of a sandbox machine being destroyed, and the plan text says so', () => {
    const p = destroyPlan('sandbox', {});
    const web = p.nodes.find((n) => n.address === 'container.web[m1]')!;
    expect(web.action).toBe('delete');
    expect(web.removedWithMachine).toBe(true);
    expect(p.nodes.find((n) => n.kind === 'machine')!.removedWithMachine).toBeUndefined();
    expect(renderPlanText(p)).toContain(
      '  # container.web[m1] will be destroyed\n  # (removed with machine.m1: its driver removes the host with everything on it)\n',
    );
    expect(JSON.stringify(planToJson(p))).toContain('"removed_with_machine":true');
  });

  it('leaves the objects of a generic server to be removed one by one (the server stays)', () => {
    const p = destroyPlan('generic', { host: '10.0.0.5' });
    expect(p.nodes.find((n) => n.address === 'container.web[m1]')!.removedWithMachine).toBeUndefined();
    expect(renderPlanText(p)).not.toContain('removed with machine');
  });

  it('uses the catalog for a machine only the state names', () => {
    const d = desired({ machines: [machine('m1')], containers: [container('web', { machines: ['m1'] })] });
    const { state, observed } = converged(d);
    const p = plan(desired({ machines: [] }), state, observed);
    expect(p.nodes.find((n) => n.address === 'container.web[m1]')!.removedWithMachine).toBe(true);
  });

  it('does not mark objects when the machine is kept', () => {
    const d = desired({ machines: [machine('m1')], containers: [] });
    const before = desired({ machines: [machine('m1')], containers: [container('web', { machines: ['m1'] })] });
    const { state, observed } = converged(before);
    const web = plan(d, state, observed).nodes.find((n) => n.address === 'container.web[m1]')!;
    expect(web.action).toBe('delete');
    expect(web.removedWithMachine).toBeUndefined();
  });
});
