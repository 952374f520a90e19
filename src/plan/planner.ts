// The planner: (Desired, prior State, Observed) -> Plan. Pure and deterministic: no I/O, sorted output.
//
// Per machine it first decides where existing objects are read from (the view's mode):
//   live  - the engine answered during refresh: objects are found by their labels (a lost state is recoverable);
//   state - no refresh, or the engine did not answer: the prior state is trusted;
//   fresh - the host is new or is being replaced: nothing exists on it yet.
// Then every declared object gets a node, every existing object nobody declares gets a delete, and the edges
// are added last, once all nodes are known.
import type { Desired, Observed, Plan, State } from '../model/index.js';
import { PLAN_FORMAT_VERSION } from '../model/plan.js';
import { MFILE_VERSION } from '../version.js';
import { linkPushes } from './image-push.js';
import { summarise } from './summary.js';
import { waitsOf } from './container-waits.js';
import { planRollingUpdates } from './rolling.js';
import { selectTargets } from './targets.js';
import { planSwarm } from './swarm-plan.js';
import { byString, PlanContext } from './plan-context.js';
import { holdChanges, markRemovedWithMachine, planMachine } from './plan-machines.js';
import { indexContainers } from './plan-containers.js';
import { planDeleteAll } from './plan-deletes.js';
import { planMachineObjects } from './plan-machine-objects.js';
import { addEdges } from './plan-edges.js';

export interface PlanOptions {
  destroy?: boolean;
  /** Addresses or globs (`container.web[*]`); matching nodes and what they depend on are kept. */
  targets?: string[];
  /** `-replace ADDR`: machines and containers to replace even when nothing changed. */
  replace?: string[];
}

export { REPLACE_REQUESTED } from './plan-context.js';

export function plan(desired: Desired, prior: State, observed: Observed, opts: PlanOptions = {}): Plan {
  const p = new PlanContext(desired, prior, observed, opts.destroy === true, new Set(opts.replace ?? []));
  planAll(p);
  const swarm = planSwarm(desired, prior, observed, opts.destroy === true, p.nodes, p.masker);
  for (const n of swarm.nodes) p.nodes.set(n.address, n);
  p.warnings.push(...swarm.warnings);
  let nodes = [...p.nodes.values()];
  const warnings = p.warnings;
  if (opts.targets && opts.targets.length > 0) {
    const selected = selectTargets(nodes, opts.targets);
    nodes = selected.nodes;
    warnings.push(...selected.warnings);
  }
  nodes.sort((a, b) => byString(a.address, b.address));
  for (const n of nodes) if (n.dependsOn.length > 1) n.dependsOn.sort(byString);
  for (const n of nodes) if (n.kind === 'container' && n.action !== 'delete' && n.action !== 'noop') n.waitFor = waitsOf(n, desired);
  // Reasons and warnings quote values, and prior records may predate masking: everything leaves masked.
  const masker = p.masker;
  if (!masker.empty) {
    for (const n of nodes) {
      // Replaced only when a reason changes: most hold no secret, and 14,000 copied lists are work for the collector.
      if (n.reasons.some((r) => masker.holds(r))) n.reasons = n.reasons.map((r) => masker.text(r));
      if (n.before !== null) n.before = masker.value(n.before);
    }
  }
  return {
    formatVersion: PLAN_FORMAT_VERSION,
    mfileVersion: MFILE_VERSION,
    project: desired.project,
    configPath: desired.configPath,
    configDigest: desired.configDigest,
    stateLineage: prior.lineage,
    stateSerial: prior.serial,
    destroy: opts.destroy === true,
    nodes,
    summary: summarise(nodes),
    warnings: [...new Set(warnings.map((w) => p.masker.text(w)))],
  };
}

/** Every machine's nodes, then the edges and what links nodes across machines. */
function planAll(ctx: PlanContext): void {
  for (const rec of Object.values(ctx.prior.objects)) {
    let list = ctx.recordsByMachine.get(rec.machine);
    if (!list) ctx.recordsByMachine.set(rec.machine, (list = []));
    list.push(rec);
  }
  indexContainers(ctx);

  const machineNames = new Set([...Object.keys(ctx.desired.machines), ...Object.keys(ctx.prior.machines)]);
  // Objects recorded on a machine that neither machines.yml nor the state knows must still be cleaned up.
  for (const m of ctx.recordsByMachine.keys()) machineNames.add(m);
  const names = [...machineNames].sort(byString);

  for (const m of names) ctx.views.set(m, planMachine(ctx, m));
  for (const m of names) {
    const view = ctx.views.get(m)!;
    if (ctx.destroy || !ctx.desired.machines[m]) planDeleteAll(ctx, view);
    else planMachineObjects(ctx, view);
    if (view.held) holdChanges(ctx, view);
  }
  markRemovedWithMachine(ctx);
  addEdges(ctx);
  linkPushes(ctx.nodes, ctx.pushed, new Set([...ctx.views.values()].filter((v) => v.held).map((v) => v.name)));
  ctx.warnings.push(...planRollingUpdates(ctx.nodes, ctx.desired, (t) => ctx.masker.text(t)));
}
