// The power rule in the planner: a machine held stopped by `mfile stop`/`kill` is left stopped by apply; its
// changes wait for `mfile start` and are not counted. A machine stopped outside mfile is still started.
import { describe, expect, it } from 'vitest';
import type { Desired, Observed } from '../../src/model/index.js';
import { plan, renderPlanText } from '../../src/plan/index.js';
import { clone, container, converged, desired, machine } from './fixtures.js';

const AT = '2026-12-02T04:00:00.000Z';

function twoMachines(webImage = 'nginx:1.27'): Desired {
  return desired({
    machines: [machine('m1'), machine('m2')],
    containers: [container('web', { image: webImage, machines: ['m1', 'm2'] })],
  });
}

/** What refresh returns for a held machine: nothing (it is not looked at). */
function withoutM1(o: Observed): Observed {
  const c = clone(o);
  delete c.machines.m1;
  return c;
}

describe('a machine held stopped', () => {
  it('stays stopped: its node is a noop naming the hold, its changes wait and are not counted', () => {
    const { state, observed } = converged(twoMachines());
    state.machines.m1.hold = { verb: 'stop', at: AT };
    const p = plan(twoMachines('nginx:1.28'), state, withoutM1(observed));
    const m1 = p.nodes.find((n) => n.address === 'machine.m1')!;
    expect(m1.action).toBe('noop');
    expect(m1.reasons[0]).toBe(`held stopped by 'mfile stop' at ${AT}: left stopped (mfile start m1 resumes)`);
    const onM1 = p.nodes.filter((n) => n.machine === 'm1' && n.kind !== 'machine');
    expect(onM1.every((n) => n.action === 'noop')).toBe(true);
    expect(p.nodes.find((n) => n.address === 'container.web[m1]')!.reasons[0]).toMatch(/^waits for 'mfile start m1': replace \(image/);
    // m2 is not held: its container and image change as usual, and only those are counted.
    expect(p.nodes.find((n) => n.address === 'container.web[m2]')!.action).toBe('replace');
    expect(p.summary).toEqual({ add: 2, change: 0, destroy: 1 });
    expect(p.warnings).toContain("machine m1 is held stopped: 2 changes on it wait for 'mfile start m1'");
    const text = renderPlanText(p);
    expect(text).toContain(`machine.m1: held stopped by 'mfile stop' at ${AT}: left stopped (mfile start m1 resumes)`);
    expect(text).not.toContain('container.web[m1] will be');
    expect(text).toContain('Plan: 2 to add, 0 to change, 1 to destroy.');
  });

  it("a kill's hold is named by its verb, and a held machine without changes plans no changes", () => {
    const { state, observed } = converged(twoMachines());
    state.machines.m1.hold = { verb: 'kill', at: AT };
    const p = plan(twoMachines(), state, withoutM1(observed));
    expect(p.nodes.find((n) => n.address === 'machine.m1')!.reasons[0]).toContain("held stopped by 'mfile kill'");
    expect(p.summary).toEqual({ add: 0, change: 0, destroy: 0 });
    expect(p.warnings).toEqual(["machine m1 is held stopped: 0 changes on it wait for 'mfile start m1'"]);
  });

  it('is still removed by destroy', () => {
    const { state, observed } = converged(twoMachines());
    state.machines.m1.hold = { verb: 'stop', at: AT };
    const p = plan(twoMachines(), state, withoutM1(observed), { destroy: true });
    expect(p.nodes.find((n) => n.address === 'machine.m1')!.action).toBe('delete');
    expect(p.nodes.find((n) => n.address === 'container.web[m1]')!.action).toBe('delete');
  });

  it('stopped outside mfile (no hold): apply starts it, as before', () => {
    const { state, observed } = converged(twoMachines());
    const o = clone(observed);
    o.machines.m1 = { name: 'm1', status: 'stopped', containers: [], networks: [], volumes: [], images: [] };
    const m1 = plan(twoMachines(), state, o).nodes.find((n) => n.address === 'machine.m1')!;
    expect(m1.action).toBe('update');
    expect(m1.reasons).toEqual(['stopped outside mfile']);
  });
});
