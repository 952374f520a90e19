// Machine nodes and the view of each machine: where its existing objects are read from (live, state or fresh),
// the power rule for held machines, and objects removed with a machine that takes its host along.
import {
  traitsOf,
  type CreateChoices,
  type MachineRecord,
  type MachineSpec,
  type ObservedMachine,
  type PlanNode,
} from '../model/index.js';
import { engineAttributes, prune } from './attributes.js';
import { priorHostOf } from './prior-host.js';
import { diffAttributes, formatValue } from './diff.js';
import { engineConfigHash } from './hash.js';
import { imageIndex } from './image-ref.js';
import { insecureWarning, openEngineWarning } from './insecure.js';
import { LABEL_MACHINE, LABEL_NAME, LABEL_PROJECT, machineAddress } from './names.js';
import { engineKeysChanged, machineBefore } from './machine-diff.js';
import {
  REPLACE_REQUESTED,
  emptyFound,
  emptyRecords,
  type PlanContext,
  type MachineView,
  type Found,
} from './plan-context.js';

/** Objects deleted with a machine whose driver's remove() takes the host with everything on it. */
export function markRemovedWithMachine(ctx: PlanContext): void {
  for (const [m, list] of ctx.onMachine) {
    if (ctx.nodes.get(machineAddress(m))?.action !== 'delete' || !ctx.traitsOfMachine(m).removesHostedObjects) continue;
    for (const n of list) if (n.kind !== 'machine' && n.action === 'delete') n.removedWithMachine = true;
  }
}

export function planMachine(ctx: PlanContext, name: string): MachineView {
  const spec = ctx.desired.machines[name];
  const rec = ctx.prior.machines[name];
  const obs = ctx.observed.refreshed ? ctx.observed.machines[name] : undefined;
  const recordOnly = ctx.traitsOfMachine(name).recordOnly;
  const addr = machineAddress(name);
  const before = rec ? machineBefore(rec) : null;
  const after = spec ? machineAfter(ctx, spec, recordOnly) : null;
  const hold = !ctx.destroy && spec && rec?.status === 'created' ? rec.hold : undefined;
  const view = newView(ctx, name, hold ? undefined : obs);
  if (hold) {
    view.held = {
      reason: `held stopped by 'mfile ${hold.verb}' at ${hold.at}: left stopped (mfile start ${name} resumes)`,
      start: `mfile start ${name}`,
    };
    // Planned from the state alone, never as a fresh host: nothing on it is touched until it is started.
    const held = planHeldMachine(ctx, view, rec!, spec!, before, after, recordOnly);
    return held;
  }

  const add = (action: PlanNode['action'], reasons: string[], b = before): MachineView => {
    view.machineNode = ctx.add({ address: addr, kind: 'machine', machine: name, name, action, reasons, before: b, after: action === 'delete' ? null : after, dependsOn: [] });
    if (spec && action !== 'delete') {
      // What the step records and provisions: decided here, so apply never hashes or masks a spec itself.
      view.machineNode.driverOptions = ctx.masker.value(spec.driverOptions);
      if (!recordOnly) view.machineNode.configHash = engineConfigHash(spec, ctx.digests);
      if ((action === 'create' || action === 'replace') && spec.traits.createChoices) view.machineNode.createChoices = createChoicesOf(ctx, obs);
    }
    // A host that may be removed is removed where the state recorded it, with its pinned keys.
    if (rec && !recordOnly && action !== 'update' && action !== 'noop') view.machineNode.priorHost = priorHostOf(rec);
    return view;
  };

  if (ctx.destroy || !spec) {
    // Without a record there is nothing to remove; stray objects on it are still deleted by planDeleteAll.
    if (!rec) return view;
    const reasons = [];
    if (!spec) reasons.push('removed from machines.yml');
    if (recordOnly) reasons.push('mfile did not create this engine: only its record is removed');
    return add('delete', reasons);
  }

  const insecure = insecureWarning(spec);
  if (insecure) ctx.warnings.push(insecure);
  const open = openEngineWarning(spec);
  if (open) ctx.warnings.push(open);

  if (obs && (obs.status === 'error' || obs.status === 'unknown')) {
    ctx.warnings.push(`machine ${name}: ${obs.status}${obs.error ? ` (${obs.error})` : ''}; objects on it are planned from the state`);
  }

  if (!rec) {
    if (recordOnly) return withMode(add('create', ['record existing engine']), obs, false);
    return withMode(add('create', ['not in state']), obs, !obs || obs.status === 'missing', `machine ${name} is new`);
  }

  if (rec.status !== 'created') {
    const why = rec.status === 'tainted' ? 'tainted: a previous create failed' : 'pending: a previous create did not finish';
    if (recordOnly) return withMode(add('create', [`record existing engine (${why})`]), obs, false);
    return withMode(add('replace', [why]), obs, true, `machine ${name} must be replaced`);
  }

  if (obs?.status === 'missing') {
    if (recordOnly) {
      ctx.warnings.push(`machine ${name}: the ${spec.driver} engine was not found; objects on it are planned from the state`);
      return withMode(add('noop', []), undefined, false);
    }
    return withMode(add('create', ['missing (deleted outside mfile)'], null), obs, true, `machine ${name} is missing`);
  }

  const replaceReasons: string[] = recordOnly || !ctx.replace.has(addr) ? [] : [REPLACE_REQUESTED];
  const updateReasons: string[] = [];
  if (rec.driver !== spec.driver) {
    (recordOnly && traitsOf(ctx.desired.drivers, rec.driver).recordOnly ? updateReasons : replaceReasons).push(`driver changed: ${rec.driver} -> ${spec.driver}`);
  }
  // Both sides pruned: the record keeps the options as given (generic's `sudo: false`), the plan shows them pruned.
  const optionChanges = diffAttributes((prune(rec.driverOptions ?? {}) as Record<string, unknown>) ?? {}, (after?.driver_options as Record<string, unknown>) ?? {});
  for (const c of optionChanges) {
    const values = `${c.before === undefined ? '(unset)' : formatValue(c.before)} -> ${c.after === undefined ? '(unset)' : formatValue(c.after)}`;
    // A local or none engine is not created by mfile, so nothing can be replaced: the record is updated.
    if (recordOnly) updateReasons.push(`driver option ${c.path} changed: ${values}`);
    else replaceReasons.push(`driver option ${c.path} forces replacement: ${values}`);
  }
  if (replaceReasons.length > 0) return withMode(add('replace', replaceReasons), obs, true, `machine ${name} must be replaced`);

  if (!recordOnly) {
    const hash = engineConfigHash(spec, ctx.digests);
    if (rec.engineHash !== undefined && rec.engineHash !== hash) {
      const keys = engineKeysChanged(rec.engine, after?.engine as Record<string, unknown>);
      updateReasons.push(`engine config changed${keys.length ? ` (${keys.join(', ')})` : ''} - daemon restart`);
    }
    if (obs?.status === 'stopped') updateReasons.push('stopped outside mfile');
    // The host answers but its engine does not (dockerd died): provisioning starts it again.
    if (obs?.status === 'error' && obs.engineDown) updateReasons.push('engine does not answer - re-provision to start it');
  }
  return withMode(add(updateReasons.length ? 'update' : 'noop', updateReasons), obs, false);
}

/**
 * The power rule: a machine held stopped by `mfile stop`/`kill` stays stopped through apply. Its node is a noop
 * that says why; a change it would have had waits, like the changes of the objects on it (holdChanges).
 */
function planHeldMachine(
  ctx: PlanContext,
  view: MachineView,
  rec: MachineRecord,
  spec: MachineSpec,
  before: Record<string, unknown> | null,
  after: Record<string, unknown> | null,
  recordOnly: boolean,
): MachineView {
  const reasons = [view.held!.reason];
  const changed = rec.driver !== spec.driver || diffAttributes((prune(rec.driverOptions ?? {}) as Record<string, unknown>) ?? {}, (after?.driver_options as Record<string, unknown>) ?? {}).length > 0;
  const engineChanged = !recordOnly && rec.engineHash !== undefined && rec.engineHash !== engineConfigHash(spec, ctx.digests);
  if (changed || engineChanged) {
    ctx.heldWaiting.set(view.name, 1);
    reasons.push(`waits for '${view.held!.start}': ${changed ? 'driver or its options changed' : 'engine config changed'}`);
  }
  view.machineNode = ctx.add({ address: machineAddress(view.name), kind: 'machine', machine: view.name, name: view.name, action: 'noop', reasons, before, after, dependsOn: [] });
  view.mode = 'state';
  return view;
}

/** Changes on a held machine become noops that name what waits; they are counted in one warning, not in Plan. */
export function holdChanges(ctx: PlanContext, view: MachineView): void {
  let waiting = ctx.heldWaiting.get(view.name) ?? 0;
  for (const n of ctx.onMachine.get(view.name) ?? []) {
    if (n.action === 'noop') continue;
    if (n.action !== 'read') waiting++;
    n.reasons = [`waits for '${view.held!.start}': ${n.action}${n.reasons.length ? ` (${n.reasons.join('; ')})` : ''}`];
    n.action = 'noop';
  }
  ctx.warnings.push(`machine ${view.name} is held stopped: ${waiting} change${waiting === 1 ? '' : 's'} on it wait${waiting === 1 ? 's' : ''} for '${view.held!.start}'`);
}

/** What refresh found a create would choose; without a probe, the create decides and the plan says so. */
function createChoicesOf(ctx: PlanContext, obs: ObservedMachine | undefined): CreateChoices {
  if (obs?.createChoices) return obs.createChoices;
  return { summary: ctx.observed.refreshed ? 'not probed: decided when it is created' : 'not probed (--refresh=false): decided when it is created', values: {} };
}

function machineAfter(ctx: PlanContext, spec: MachineSpec, recordOnly: boolean): Record<string, unknown> {
  const attrs: Record<string, unknown> = { driver: spec.driver, driver_options: prune(spec.driverOptions) };
  if (!recordOnly) attrs.engine = engineAttributes(spec);
  // Pruned like the prior side (machineBefore), so an empty block is not shown as added.
  return ctx.maskedAttributes(prune(attrs) as Record<string, unknown>);
}

function newView(ctx: PlanContext, name: string, obs: ObservedMachine | undefined): MachineView {
  const view: MachineView = {
    name,
    mode: 'state',
    freshReason: '',
    found: emptyFound(),
    containers: new Map(),
    images: new Map(),
    repoDigests: new Map(),
    records: emptyRecords(),
  };
  for (const rec of ctx.recordsByMachine.get(name) ?? []) view.records[rec.kind].set(rec.name, rec);
  if (obs?.status === 'running') indexObserved(ctx, view, obs);
  else if (ctx.observed.refreshed && obs === undefined && ctx.prior.machines[name] && !ctx.prior.machines[name].hold && ctx.desired.machines[name]) {
    ctx.warnings.push(`machine ${name} was not refreshed; objects on it are planned from the state`);
  }
  view.mode = obs?.status === 'running' ? 'live' : 'state';
  return view;
}

/** Settles where the view reads existing objects from, once the machine's action is known. */
function withMode(view: MachineView, obs: ObservedMachine | undefined, hostIsNew: boolean, freshReason = ''): MachineView {
  if (hostIsNew) {
    view.mode = 'fresh';
    view.freshReason = freshReason;
  } else if (obs?.status !== 'running') {
    view.mode = 'state';
    view.found = emptyFound();
  }
  return view;
}

function indexObserved(ctx: PlanContext, view: MachineView, obs: ObservedMachine): void {
  const mine = (labels: Record<string, string> | undefined): string | undefined =>
    labels && labels[LABEL_PROJECT] === ctx.project && labels[LABEL_MACHINE] === view.name ? labels[LABEL_NAME] : undefined;
  const put = (kind: 'container' | 'network' | 'volume', name: string, f: Found): void => {
    const list = view.found[kind].get(name);
    if (list) list.push(f);
    else view.found[kind].set(name, [f]);
  };
  // The record holding an object's id names it first: one adopted by `mfile import` carries no labels, and one
  // moved by `mfile state mv` (or on a moved machine) keeps the labels of its old name.
  const byId = new Map<string, string>();
  for (const kind of ['container', 'network', 'volume'] as const) {
    for (const rec of view.records[kind].values()) if (rec.id) byId.set(`${kind} ${rec.id}`, rec.name);
  }
  const recorded = (kind: 'container' | 'network' | 'volume', id: string): string | undefined => byId.get(`${kind} ${id}`);
  for (const c of obs.containers) {
    const n = recorded('container', c.id) ?? mine(c.labels);
    if (n === undefined) continue;
    put('container', n, { id: c.id, labels: c.labels });
    view.containers.set(c.id, c);
  }
  for (const net of obs.networks) {
    const n = recorded('network', net.id) ?? mine(net.labels);
    if (n !== undefined) put('network', n, { id: net.id, labels: net.labels });
  }
  for (const v of obs.volumes) {
    const n = recorded('volume', v.name) ?? mine(v.labels);
    if (n !== undefined) put('volume', n, { id: v.name, labels: v.labels });
  }
  view.images = imageIndex(obs.images);
  for (const img of obs.images) view.repoDigests.set(img.id, img.repoDigests ?? []);
  view.tags = obs.tags;
}
