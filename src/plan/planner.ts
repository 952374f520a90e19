// The planner: (Desired, prior State, Observed) -> Plan. Pure and deterministic: no I/O, sorted output.
//
// Per machine it first decides where existing objects are read from (the view's mode):
//   live  - the engine answered during refresh: objects are found by their labels (a lost state is recoverable);
//   state - no refresh, or the engine did not answer: the prior state is trusted;
//   fresh - the host is new or is being replaced: nothing exists on it yet.
// Then every declared object gets a node, every existing object nobody declares gets a delete, and the edges
// are added last, once all nodes are known.
import {
  containerEngineName,
  isPreviousVersion,
  traitsOf,
  type ContainerSpec,
  type CreateChoices,
  type Desired,
  type DriverTraits,
  type ImageStepData,
  type MachineRecord,
  type MachineSpec,
  type NetworkSpec,
  type ObjectRecord,
  type Observed,
  type ObservedContainer,
  type ObservedMachine,
  type Plan,
  type PullPolicy,
  pullIntervalSeconds,
  registryOf,
  type PlanNode,
  type ReplaceStrategy,
  type SensitiveDigest,
  type State,
  type VolumeSpec,
} from '../model/index.js';
import { PLAN_FORMAT_VERSION } from '../model/plan.js';
import { MFILE_VERSION } from '../version.js';
import { containerAttributes, engineAttributes, networkAttributes, prune, volumeAttributes } from './attributes.js';
import { canonicalEntries, joinCanonical } from './canonical.js';
import { priorHostOf } from './prior-host.js';
import { replaceStrategy } from './replace-strategy.js';
import { changeReason, diffAttributes, formatValue } from './diff.js';
import { containerHashOfJson, engineConfigHash, networkConfigHash, volumeConfigHash } from './hash.js';
import { imageIndex, normaliseImageRef, shortId } from './image-ref.js';
import { insecureWarning, openEngineWarning } from './insecure.js';
import { imageNodeName, isMaskedImageName } from './image-name.js';
import { decideImage } from './image-decision.js';
import { linkPushes, pushBuilders, pushReasons } from './image-push.js';
import { jsonMayHoldSensitive, Masker } from '../masking.js';
import {
  LABEL_CONFIG_HASH,
  LABEL_MACHINE,
  LABEL_NAME,
  LABEL_PROJECT,
  machineAddress,
  objectAddress,
  type ObjectNodeKind,
} from './names.js';
import { summarise } from './summary.js';
import { engineKeysChanged, machineBefore } from './machine-diff.js';
import { containerDeps, waitsOf } from './container-waits.js';
import { runState } from './container-run-state.js';
import { planRollingUpdates } from './rolling.js';
import { selectTargets } from './targets.js';
import { planSwarm } from './swarm-plan.js';

export interface PlanOptions {
  destroy?: boolean;
  /** Addresses or globs (`container.web[*]`); matching nodes and what they depend on are kept. */
  targets?: string[];
  /** `-replace ADDR`: machines and containers to replace even when nothing changed. */
  replace?: string[];
}

export const REPLACE_REQUESTED = 'replace requested with -replace';

/** The strongest pull policy wins when containers on one machine share an image (time-based: the shortest interval). */
const PULL_RANK: Record<PullPolicy, number> = { never: 0, missing: 1, always: 3, build: 4 };
const pullRank = (p: ContainerSpec['pull_policy']): number => {
  const s = pullIntervalSeconds(p);
  return s === undefined ? PULL_RANK[p as PullPolicy] : 2 + 1 / (1 + s);
};

type Mode = 'live' | 'state' | 'fresh';

interface Found {
  id: string;
  labels: Record<string, string>;
}

interface MachineView {
  name: string;
  mode: Mode;
  /** Why objects on a fresh host are created. */
  freshReason: string;
  /** Held stopped by mfile stop/kill: its changes wait for mfile start (see holdChanges). */
  held?: { reason: string; start: string };
  machineNode?: PlanNode;
  /** Objects carrying this project's and this machine's labels, by io.mfile.name. */
  found: Record<'container' | 'network' | 'volume', Map<string, Found[]>>;
  containers: Map<string, ObservedContainer>;
  /** normalised image ref -> image id (live mode). */
  images: Map<string, string>;
  /** image id -> its repo digests (`name@sha256:…`, live mode). */
  repoDigests: Map<string, string[]>;
  /** Prior state records on this machine, by kind and name. */
  records: Record<ObjectNodeKind, Map<string, ObjectRecord>>;
  /** Registry tags refresh resolved through this machine's engine. */
  tags?: ObservedMachine['tags'];
}

interface ContainerInfo {
  spec: ContainerSpec;
  /** Addresses of the network, volume and image nodes it uses. */
  uses: string[];
}

const emptyFound = (): MachineView['found'] => ({ container: new Map(), network: new Map(), volume: new Map() });
const emptyRecords = (): MachineView['records'] => ({
  container: new Map(),
  network: new Map(),
  volume: new Map(),
  image: new Map(),
});
const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const sortedKeys = (o: object): string[] => Object.keys(o).sort(byString);

export function plan(desired: Desired, prior: State, observed: Observed, opts: PlanOptions = {}): Plan {
  const p = new Planner(desired, prior, observed, opts.destroy === true, new Set(opts.replace ?? []));
  p.run();
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

class Planner {
  readonly nodes = new Map<string, PlanNode>();
  readonly warnings: string[] = [];
  private readonly project: string;
  private readonly sensitive: readonly string[];
  readonly masker: Masker;
  private readonly digests: readonly SensitiveDigest[];
  private readonly views = new Map<string, MachineView>();
  private readonly containerInfo = new Map<string, ContainerInfo>();
  /** Machine -> declared containers on it, sorted by name. */
  private readonly specsByMachine = new Map<string, ContainerSpec[]>();
  /** Container name -> the machines it runs on (desired). */
  private readonly placement = new Map<string, string[]>();
  /** Container name -> declared containers that depend on it (for reverse delete order). */
  private readonly dependents = new Map<string, string[]>();
  /** Container name -> its node addresses, any action. */
  private readonly containerNodes = new Map<string, string[]>();
  /** Machine -> node addresses on it (machine node excluded). */
  private readonly onMachine = new Map<string, PlanNode[]>();
  private readonly sharedCache = new Map<string, { after: Record<string, unknown>; hash: string }>();
  /** Prior object records by machine. */
  private readonly recordsByMachine = new Map<string, ObjectRecord[]>();
  /** Held machine -> its own waiting change (0 or 1), added to the waiting count of the objects on it. */
  private readonly heldWaiting = new Map<string, number>();
  /** Image node address -> why the containers using it are replaced (its tag moved in the registry). */
  private readonly moved = new Map<string, string>();
  /** build.push images: reference -> the builder's node address and the other machines' node addresses. */
  private readonly pushed = new Map<string, { builder?: string; pullers: string[] }>();
  private builders?: Map<string, string>;

  constructor(
    private readonly desired: Desired,
    private readonly prior: State,
    private readonly observed: Observed,
    private readonly destroy: boolean,
    private readonly replace: ReadonlySet<string> = new Set(),
  ) {
    this.project = desired.project;
    this.sensitive = desired.sensitiveValues;
    this.digests = desired.sensitiveDigests ?? [];
    this.masker = new Masker({ values: desired.sensitiveValues, numbers: desired.sensitiveNumbers });
  }

  /** The image's node name: the reference, or a stand-in when it holds a sensitive value. */
  private imageName(ref: string): string {
    return imageNodeName(ref, this.desired);
  }

  /** Masked attributes; most hold no secret, and one substring test on their JSON spares the deep walk. */
  private maskedAttributes(attrs: Record<string, unknown>, json?: string): Record<string, unknown> {
    if (this.masker.empty) return attrs;
    const hasNumbers = (this.desired.sensitiveNumbers?.length ?? 0) > 0;
    if (json !== undefined && !hasNumbers && !jsonMayHoldSensitive(json, this.sensitive)) return attrs;
    return this.masker.value(attrs);
  }

  /**
   * maskedAttributes for a container, from its attributes' canonical JSON in parts: only the values whose JSON
   * may hold a secret are walked (the environment, typically); the result is what a walk of the whole gives.
   */
  private maskedContainer(attrs: Record<string, unknown>, json: string, entries: readonly [string, string][]): Record<string, unknown> {
    if (this.masker.empty) return attrs;
    const hasNumbers = (this.desired.sensitiveNumbers?.length ?? 0) > 0;
    if (!hasNumbers && !jsonMayHoldSensitive(json, this.sensitive)) return attrs;
    let out: Record<string, unknown> | undefined;
    for (const [k, j] of entries) {
      if (!this.masker.mayHoldInJson(j)) continue;
      const m = this.masker.value(attrs[k]);
      if (m !== attrs[k]) (out ??= { ...attrs })[k] = m;
    }
    return out ?? attrs;
  }

  run(): void {
    for (const rec of Object.values(this.prior.objects)) {
      let list = this.recordsByMachine.get(rec.machine);
      if (!list) this.recordsByMachine.set(rec.machine, (list = []));
      list.push(rec);
    }
    this.indexContainers();

    const machineNames = new Set([...Object.keys(this.desired.machines), ...Object.keys(this.prior.machines)]);
    // Objects recorded on a machine that neither machines.yml nor the state knows must still be cleaned up.
    for (const m of this.recordsByMachine.keys()) machineNames.add(m);
    const names = [...machineNames].sort(byString);

    for (const m of names) this.views.set(m, this.planMachine(m));
    for (const m of names) {
      const view = this.views.get(m)!;
      if (this.destroy || !this.desired.machines[m]) this.planDeleteAll(view);
      else this.planMachineObjects(view);
      if (view.held) this.holdChanges(view);
    }
    this.markRemovedWithMachine();
    this.addEdges();
    linkPushes(this.nodes, this.pushed, new Set([...this.views.values()].filter((v) => v.held).map((v) => v.name)));
    this.warnings.push(...planRollingUpdates(this.nodes, this.desired, (t) => this.masker.text(t)));
  }

  /** What a machine's driver declares: from machines.yml, else (a machine only the state names) the catalog. */
  private traitsOfMachine(name: string): DriverTraits {
    return this.desired.machines[name]?.traits ?? traitsOf(this.desired.drivers, this.prior.machines[name]?.driver ?? '');
  }

  /** Objects deleted with a machine whose driver's remove() takes the host with everything on it. */
  private markRemovedWithMachine(): void {
    for (const [m, list] of this.onMachine) {
      if (this.nodes.get(machineAddress(m))?.action !== 'delete' || !this.traitsOfMachine(m).removesHostedObjects) continue;
      for (const n of list) if (n.kind !== 'machine' && n.action === 'delete') n.removedWithMachine = true;
    }
  }

  // ---------------------------------------------------------------- machines

  private planMachine(name: string): MachineView {
    const spec = this.desired.machines[name];
    const rec = this.prior.machines[name];
    const obs = this.observed.refreshed ? this.observed.machines[name] : undefined;
    const recordOnly = this.traitsOfMachine(name).recordOnly;
    const addr = machineAddress(name);
    const before = rec ? machineBefore(rec) : null;
    const after = spec ? this.machineAfter(spec, recordOnly) : null;
    const hold = !this.destroy && spec && rec?.status === 'created' ? rec.hold : undefined;
    const view = this.newView(name, hold ? undefined : obs);
    if (hold) {
      view.held = {
        reason: `held stopped by 'mfile ${hold.verb}' at ${hold.at}: left stopped (mfile start ${name} resumes)`,
        start: `mfile start ${name}`,
      };
      // Planned from the state alone, never as a fresh host: nothing on it is touched until it is started.
      const held = this.planHeldMachine(view, rec!, spec!, before, after, recordOnly);
      return held;
    }

    const add = (action: PlanNode['action'], reasons: string[], b = before): MachineView => {
      view.machineNode = this.add({ address: addr, kind: 'machine', machine: name, name, action, reasons, before: b, after: action === 'delete' ? null : after, dependsOn: [] });
      if (spec && action !== 'delete') {
        // What the step records and provisions: decided here, so apply never hashes or masks a spec itself.
        view.machineNode.driverOptions = this.masker.value(spec.driverOptions);
        if (!recordOnly) view.machineNode.configHash = engineConfigHash(spec, this.digests);
        if ((action === 'create' || action === 'replace') && spec.traits.createChoices) view.machineNode.createChoices = this.createChoicesOf(obs);
      }
      // A host that may be removed is removed where the state recorded it, with its pinned keys.
      if (rec && !recordOnly && action !== 'update' && action !== 'noop') view.machineNode.priorHost = priorHostOf(rec);
      return view;
    };

    if (this.destroy || !spec) {
      // Without a record there is nothing to remove; stray objects on it are still deleted by planDeleteAll.
      if (!rec) return view;
      const reasons = [];
      if (!spec) reasons.push('removed from machines.yml');
      if (recordOnly) reasons.push('mfile did not create this engine: only its record is removed');
      return add('delete', reasons);
    }

    const insecure = insecureWarning(spec);
    if (insecure) this.warnings.push(insecure);
    const open = openEngineWarning(spec);
    if (open) this.warnings.push(open);

    if (obs && (obs.status === 'error' || obs.status === 'unknown')) {
      this.warnings.push(`machine ${name}: ${obs.status}${obs.error ? ` (${obs.error})` : ''}; objects on it are planned from the state`);
    }

    if (!rec) {
      if (recordOnly) return this.withMode(add('create', ['record existing engine']), obs, false);
      return this.withMode(add('create', ['not in state']), obs, !obs || obs.status === 'missing', `machine ${name} is new`);
    }

    if (rec.status !== 'created') {
      const why = rec.status === 'tainted' ? 'tainted: a previous create failed' : 'pending: a previous create did not finish';
      if (recordOnly) return this.withMode(add('create', [`record existing engine (${why})`]), obs, false);
      return this.withMode(add('replace', [why]), obs, true, `machine ${name} must be replaced`);
    }

    if (obs?.status === 'missing') {
      if (recordOnly) {
        this.warnings.push(`machine ${name}: the ${spec.driver} engine was not found; objects on it are planned from the state`);
        return this.withMode(add('noop', []), undefined, false);
      }
      return this.withMode(add('create', ['missing (deleted outside mfile)'], null), obs, true, `machine ${name} is missing`);
    }

    const replaceReasons: string[] = recordOnly || !this.replace.has(addr) ? [] : [REPLACE_REQUESTED];
    const updateReasons: string[] = [];
    if (rec.driver !== spec.driver) {
      (recordOnly && traitsOf(this.desired.drivers, rec.driver).recordOnly ? updateReasons : replaceReasons).push(`driver changed: ${rec.driver} -> ${spec.driver}`);
    }
    // Both sides pruned: the record keeps the options as given (generic's `sudo: false`), the plan shows them pruned.
    const optionChanges = diffAttributes((prune(rec.driverOptions ?? {}) as Record<string, unknown>) ?? {}, (after?.driver_options as Record<string, unknown>) ?? {});
    for (const c of optionChanges) {
      const values = `${c.before === undefined ? '(unset)' : formatValue(c.before)} -> ${c.after === undefined ? '(unset)' : formatValue(c.after)}`;
      // A local or none engine is not created by mfile, so nothing can be replaced: the record is updated.
      if (recordOnly) updateReasons.push(`driver option ${c.path} changed: ${values}`);
      else replaceReasons.push(`driver option ${c.path} forces replacement: ${values}`);
    }
    if (replaceReasons.length > 0) return this.withMode(add('replace', replaceReasons), obs, true, `machine ${name} must be replaced`);

    if (!recordOnly) {
      const hash = engineConfigHash(spec, this.digests);
      if (rec.engineHash !== undefined && rec.engineHash !== hash) {
        const keys = engineKeysChanged(rec.engine, after?.engine as Record<string, unknown>);
        updateReasons.push(`engine config changed${keys.length ? ` (${keys.join(', ')})` : ''} - daemon restart`);
      }
      if (obs?.status === 'stopped') updateReasons.push('stopped outside mfile');
      // The host answers but its engine does not (dockerd died): provisioning starts it again.
      if (obs?.status === 'error' && obs.engineDown) updateReasons.push('engine does not answer - re-provision to start it');
    }
    return this.withMode(add(updateReasons.length ? 'update' : 'noop', updateReasons), obs, false);
  }

  /**
   * The power rule: a machine held stopped by `mfile stop`/`kill` stays stopped through apply. Its node is a noop
   * that says why; a change it would have had waits, like the changes of the objects on it (holdChanges).
   */
  private planHeldMachine(
    view: MachineView,
    rec: MachineRecord,
    spec: MachineSpec,
    before: Record<string, unknown> | null,
    after: Record<string, unknown> | null,
    recordOnly: boolean,
  ): MachineView {
    const reasons = [view.held!.reason];
    const changed = rec.driver !== spec.driver || diffAttributes((prune(rec.driverOptions ?? {}) as Record<string, unknown>) ?? {}, (after?.driver_options as Record<string, unknown>) ?? {}).length > 0;
    const engineChanged = !recordOnly && rec.engineHash !== undefined && rec.engineHash !== engineConfigHash(spec, this.digests);
    if (changed || engineChanged) {
      this.heldWaiting.set(view.name, 1);
      reasons.push(`waits for '${view.held!.start}': ${changed ? 'driver or its options changed' : 'engine config changed'}`);
    }
    view.machineNode = this.add({ address: machineAddress(view.name), kind: 'machine', machine: view.name, name: view.name, action: 'noop', reasons, before, after, dependsOn: [] });
    view.mode = 'state';
    return view;
  }

  /** Changes on a held machine become noops that name what waits; they are counted in one warning, not in Plan. */
  private holdChanges(view: MachineView): void {
    let waiting = this.heldWaiting.get(view.name) ?? 0;
    for (const n of this.onMachine.get(view.name) ?? []) {
      if (n.action === 'noop') continue;
      if (n.action !== 'read') waiting++;
      n.reasons = [`waits for '${view.held!.start}': ${n.action}${n.reasons.length ? ` (${n.reasons.join('; ')})` : ''}`];
      n.action = 'noop';
    }
    this.warnings.push(`machine ${view.name} is held stopped: ${waiting} change${waiting === 1 ? '' : 's'} on it wait${waiting === 1 ? 's' : ''} for '${view.held!.start}'`);
  }

  /** What refresh found a create would choose; without a probe, the create decides and the plan says so. */
  private createChoicesOf(obs: ObservedMachine | undefined): CreateChoices {
    if (obs?.createChoices) return obs.createChoices;
    return { summary: this.observed.refreshed ? 'not probed: decided when it is created' : 'not probed (--refresh=false): decided when it is created', values: {} };
  }

  private machineAfter(spec: MachineSpec, recordOnly: boolean): Record<string, unknown> {
    const attrs: Record<string, unknown> = { driver: spec.driver, driver_options: prune(spec.driverOptions) };
    if (!recordOnly) attrs.engine = engineAttributes(spec);
    // Pruned like the prior side (machineBefore), so an empty block is not shown as added.
    return this.maskedAttributes(prune(attrs) as Record<string, unknown>);
  }

  private newView(name: string, obs: ObservedMachine | undefined): MachineView {
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
    for (const rec of this.recordsByMachine.get(name) ?? []) view.records[rec.kind].set(rec.name, rec);
    if (obs?.status === 'running') this.indexObserved(view, obs);
    else if (this.observed.refreshed && obs === undefined && this.prior.machines[name] && !this.prior.machines[name].hold && this.desired.machines[name]) {
      this.warnings.push(`machine ${name} was not refreshed; objects on it are planned from the state`);
    }
    view.mode = obs?.status === 'running' ? 'live' : 'state';
    return view;
  }

  /** Settles where the view reads existing objects from, once the machine's action is known. */
  private withMode(view: MachineView, obs: ObservedMachine | undefined, hostIsNew: boolean, freshReason = ''): MachineView {
    if (hostIsNew) {
      view.mode = 'fresh';
      view.freshReason = freshReason;
    } else if (obs?.status !== 'running') {
      view.mode = 'state';
      view.found = emptyFound();
    }
    return view;
  }

  private indexObserved(view: MachineView, obs: ObservedMachine): void {
    const mine = (labels: Record<string, string> | undefined): string | undefined =>
      labels && labels[LABEL_PROJECT] === this.project && labels[LABEL_MACHINE] === view.name ? labels[LABEL_NAME] : undefined;
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

  // ---------------------------------------------------------------- objects on a declared machine

  private indexContainers(): void {
    for (const name of sortedKeys(this.desired.containers)) {
      const spec = this.desired.containers[name];
      this.placement.set(name, [...spec.machines].sort(byString));
      for (const m of new Set(spec.machines)) {
        if (!this.desired.machines[m]) {
          this.warnings.push(`container ${name}: machine ${m} is not declared; skipped there`);
          continue;
        }
        const list = this.specsByMachine.get(m);
        if (list) list.push(spec);
        else this.specsByMachine.set(m, [spec]);
      }
      for (const dep of containerDeps(spec)) {
        const list = this.dependents.get(dep);
        if (list) list.push(name);
        else this.dependents.set(dep, [name]);
      }
    }
  }

  private planMachineObjects(view: MachineView): void {
    const m = view.name;
    const specs = this.specsByMachine.get(m) ?? [];
    const networks = new Map<string, NetworkSpec>();
    const volumes = new Map<string, VolumeSpec>();
    const images = new Map<string, ContainerSpec>();
    for (const spec of specs) {
      if (spec.replicas > 1) this.warnings.push(`container ${spec.name}: replicas > 1 is not supported yet; one container runs per machine`);
      for (const n of Object.keys(spec.networks)) networks.set(n, this.desired.networks[n] ?? implicitNetwork(n));
      for (const v of spec.volumes) {
        if (v.type === 'volume' && v.source) volumes.set(v.source, this.desired.volumes[v.source] ?? implicitVolume(v.source));
      }
      const seen = images.get(spec.image);
      if (!seen || pullRank(spec.pull_policy) > pullRank(seen.pull_policy)) images.set(spec.image, spec);
    }

    for (const [name, spec] of [...networks].sort((a, b) => byString(a[0], b[0]))) {
      if (!spec.external) this.planSharedObject(view, 'network', name, this.sharedSpec('network', spec));
    }
    for (const [name, spec] of [...volumes].sort((a, b) => byString(a[0], b[0]))) {
      if (!spec.external) this.planSharedObject(view, 'volume', name, this.sharedSpec('volume', spec));
    }
    for (const [ref, spec] of [...images].sort((a, b) => byString(a[0], b[0]))) this.planImage(view, ref, spec);
    for (const spec of specs) this.planContainer(view, spec, networks, volumes);

    // Whatever exists on the machine and is not declared for it goes.
    if (view.mode === 'fresh') return;
    const declared: Record<'container' | 'network' | 'volume', ReadonlySet<string>> = {
      container: new Set(specs.map((s) => s.name)),
      network: new Set([...networks].filter(([, s]) => !s.external).map(([n]) => n)),
      volume: new Set([...volumes].filter(([, s]) => !s.external).map(([n]) => n)),
    };
    for (const kind of ['container', 'network', 'volume'] as const) {
      const pool = kind === 'container' ? this.desired.containers : kind === 'network' ? this.desired.networks : this.desired.volumes;
      for (const name of existingNames(view, kind)) {
        if (declared[kind].has(name)) continue;
        const rec = view.records[kind].get(name);
        const reason =
          name in pool
            ? kind === 'container'
              ? `no longer runs on ${m}`
              : `no longer used on ${m}`
            : rec
              ? 'removed from machines.yml'
              : 'not declared in machines.yml';
        this.deleteExisting(view, kind, name, [reason]);
      }
    }
  }

  /** Masked attributes and config hash of a network or volume: the same on every machine, so computed once. */
  private sharedSpec(kind: 'network' | 'volume', spec: NetworkSpec | VolumeSpec): { after: Record<string, unknown>; hash: string } {
    const key = `${kind}.${spec.name}`;
    let cached = this.sharedCache.get(key);
    if (!cached) {
      const attrs = kind === 'network' ? networkAttributes(spec as NetworkSpec) : volumeAttributes(spec as VolumeSpec);
      const hash = kind === 'network' ? networkConfigHash(spec as NetworkSpec, this.project, this.digests) : volumeConfigHash(spec as VolumeSpec, this.project, this.digests);
      this.sharedCache.set(key, (cached = { after: this.maskedAttributes(attrs), hash }));
    }
    return cached;
  }

  /** Networks and volumes: created when absent; a changed config is reported, never recreated under running containers. */
  private planSharedObject(view: MachineView, kind: 'network' | 'volume', name: string, shared: { after: Record<string, unknown>; hash: string }): void {
    const m = view.name;
    const address = objectAddress(kind, name, m);
    const { after, hash } = shared;
    const rec = view.records[kind].get(name);
    const base = { address, kind, machine: m, name, after, dependsOn: [] as string[], configHash: hash };
    if (view.mode === 'fresh') {
      this.add({ ...base, action: 'create', reasons: [view.freshReason], before: null });
      return;
    }
    let existingHash: string | undefined;
    let existingId: string | undefined;
    let adopted = false;
    if (view.mode === 'state') {
      if (!rec || rec.status !== 'created') {
        this.add({ ...base, action: 'create', reasons: [rec ? `${rec.status}: a previous create did not finish` : 'not in state'], before: null });
        return;
      }
      existingHash = rec.configHash;
      existingId = rec.id;
    } else {
      const found = [...(view.found[kind].get(name) ?? [])].sort((a, b) => byString(a.id, b.id));
      if (found.length === 0) {
        this.add({ ...base, action: 'create', reasons: [rec ? 'missing on the machine (deleted outside mfile)' : 'not in state'], before: null });
        return;
      }
      const keep = found.find((f) => f.id === rec?.id) ?? found[0];
      for (const dup of found) if (dup !== keep) this.addDuplicateDelete(kind, name, m, dup.id);
      // Imported (no labels): the record's hash says whether it matched machines.yml when it was adopted.
      existingHash = keep.labels[LABEL_CONFIG_HASH] ?? (keep.id === rec?.id ? rec.configHash : undefined);
      existingId = keep.id;
      adopted = !rec || rec.id !== keep.id;
    }
    const before = rec?.attributes ?? null;
    if (existingHash !== undefined && existingHash !== hash) {
      const changes = before ? diffAttributes(before, after).map(changeReason) : [];
      this.warnings.push(
        `${address} differs from machines.yml${changes.length ? ` (${changes.join('; ')})` : ''}; ` +
          `mfile does not recreate a ${kind} in use: run "mfile destroy --target ${address}", then apply`,
      );
    }
    this.add({ ...base, action: 'noop', reasons: adopted ? ['adopted: found on the machine by its labels'] : [], before: before ?? after, existingId });
  }

  private planImage(view: MachineView, ref: string, spec: ContainerSpec): void {
    const m = view.name;
    const policy = spec.pull_policy;
    const name = this.imageName(ref);
    const address = objectAddress('image', name, m);
    const registry = registryOf(ref, this.desired.registries);
    // build.push: the first machine builds and pushes, the others pull from the registry.
    const builderMachine = (this.builders ??= pushBuilders(this.desired)).get(ref);
    const pushes = builderMachine !== undefined && registry !== undefined;
    const builds = (policy === 'build' || (policy === 'missing' && spec.build !== undefined)) && (!pushes || builderMachine === m);
    const built = builds ? spec.build : undefined;
    const after = this.maskedAttributes(prune({ ref, pull_policy: policy, build: built, registry: registry?.name }) as Record<string, unknown>);
    const id = this.imagePresent(view, ref, name);
    const shown = this.masker.value(ref);
    const before = id === undefined ? null : id === '' ? { ref: shown } : { ref: shown, id: shortId(id) };
    const rec = view.records.image.get(name);
    const d = decideImage({
      address,
      ref,
      // Where another machine builds it, pull_policy build means: pull what it pushed.
      policy: pushes && !builds && policy === 'build' ? (id === undefined ? 'missing' : 'always') : policy,
      present: before !== null,
      registry,
      refreshed: this.observed.refreshed,
      tag: view.tags?.[ref],
      localDigest: this.localDigest(view, ref, id) ?? (typeof rec?.attributes.digest === 'string' ? rec.attributes.digest : undefined),
      lastPull: typeof rec?.attributes.pulled_at === 'string' ? rec.attributes.pulled_at : undefined,
      now: this.observed.at,
      builds,
    });
    this.warnings.push(...d.warnings);
    if (d.moved) this.moved.set(address, d.moved);
    const image = this.imageStep(m, ref, name, d.pullPolicy, builds);
    if (registry) image.registry = registry.name;
    if (d.digest) image.digest = d.digest;
    let reasons = d.reasons;
    if (pushes) {
      const entry = this.pushed.get(ref) ?? { pullers: [] };
      this.pushed.set(ref, entry);
      if (builds) {
        image.push = true;
        entry.builder = address;
      } else entry.pullers.push(address);
      reasons = pushReasons(reasons, d.action, builds, registry, objectAddress('image', name, builderMachine));
    }
    this.add({ address, kind: 'image', machine: m, name, before, after, dependsOn: [], image, action: d.action, reasons });
  }

  /** The registry digest the machine's image carries for the reference's name (live mode). */
  private localDigest(view: MachineView, ref: string, id: string | undefined): string | undefined {
    if (!id) return undefined;
    const at = ref.lastIndexOf('@');
    const colon = ref.lastIndexOf(':');
    const repo = at >= 0 ? ref.slice(0, at) : colon > ref.lastIndexOf('/') ? ref.slice(0, colon) : ref;
    const entry = (view.repoDigests.get(id) ?? []).find((d) => d.startsWith(`${repo}@`));
    return entry?.slice(repo.length + 1);
  }

  /**
   * What the image step acts on. The reference is named only when it holds no sensitive value; else the node
   * names the container whose `image` it is (the plan never holds a secret).
   */
  private imageStep(machine: string, ref: string, name: string, policy: PullPolicy, builds = true): ImageStepData {
    const users = (this.specsByMachine.get(machine) ?? []).filter((c) => c.image === ref);
    const data: ImageStepData = { pullPolicy: policy };
    if (name === ref) data.ref = ref;
    else data.refFrom = users[0]?.name;
    // pull_policy build builds from the strongest user; missing with a build section builds what is missing.
    const builder = users.find((c) => c.pull_policy === 'build') ?? (policy === 'missing' ? users.find((c) => c.build) : undefined);
    if (builds && builder && (policy === 'build' || policy === 'missing')) data.buildFrom = builder.name;
    return data;
  }

  /** The reference of a recorded image to remove: its name, or for a stand-in the declared image it stands for, else its id. */
  private imageToRemove(machine: string, name: string, id: string | undefined): ImageStepData {
    if (!isMaskedImageName(name)) return { ref: name };
    const user = sortedKeys(this.desired.containers)
      .map((c) => this.desired.containers[c])
      .find((c) => c.machines.includes(machine) && this.imageName(c.image) === name);
    if (user) return { refFrom: user.name };
    return id !== undefined ? { ref: id } : {};
  }

  /** The replace strategy, with the values it quotes masked. */
  private replaceStrategy(spec: ContainerSpec): ReplaceStrategy {
    const s = replaceStrategy(spec);
    return s.kind === 'stop-first' ? { kind: 'stop-first', because: s.because.map((b) => this.masker.text(b)) } : s;
  }

  /** The image id on the machine ('' when present but the id is unknown), undefined when absent. */
  private imagePresent(view: MachineView, ref: string, name: string): string | undefined {
    if (view.mode === 'fresh') return undefined;
    if (view.mode === 'live') return view.images.get(normaliseImageRef(ref));
    const rec = view.records.image.get(name);
    if (rec?.status === 'created') return rec.id ?? '';
    // Without a refresh, an image a created container uses is on the machine.
    for (const c of view.records.container.values()) if (c.status === 'created' && c.attributes.image === ref) return '';
    return undefined;
  }

  private planContainer(view: MachineView, spec: ContainerSpec, networks: Map<string, NetworkSpec>, volumes: Map<string, VolumeSpec>): void {
    const m = view.name;
    const address = objectAddress('container', spec.name, m);
    const attributes = containerAttributes(spec);
    const entries = canonicalEntries(attributes);
    const json = joinCanonical(entries);
    const hash = containerHashOfJson(json, this.project, this.digests);
    const after = this.maskedContainer(attributes, json, entries);
    const rec = view.records.container.get(spec.name);
    const uses: string[] = [objectAddress('image', this.imageName(spec.image), m)];
    for (const n of Object.keys(spec.networks)) if (!networks.get(n)?.external) uses.push(objectAddress('network', n, m));
    for (const v of spec.volumes) {
      if (v.type === 'volume' && v.source && !volumes.get(v.source)?.external) uses.push(objectAddress('volume', v.source, m));
    }
    this.containerInfo.set(address, { spec, uses });
    const base = { address, kind: 'container' as const, machine: m, name: spec.name, after, dependsOn: [] as string[], configHash: hash };
    const before = rec?.attributes ?? null;

    if (view.mode === 'fresh') {
      this.add({ ...base, action: 'create', reasons: [view.freshReason], before: null });
      return;
    }

    if (view.mode === 'state') {
      // Unseen, the engine may hold a leftover of an interrupted run: the step removes it (see settleLeftovers).
      const unseen = (): typeof base & { settleLeftovers: true } => ({ ...base, settleLeftovers: true as const });
      if (!rec) return void this.add({ ...unseen(), action: 'create', reasons: ['not in state'], before: null });
      if (rec.status !== 'created') return void this.add({ ...unseen(), action: 'replace', reasons: [taintReason(rec)], before, existingId: rec.id });
      if (this.replace.has(address)) return void this.add({ ...unseen(), action: 'replace', reasons: [REPLACE_REQUESTED], before, existingId: rec.id });
      const same = rec.configHash !== undefined ? rec.configHash === hash : diffAttributes(rec.attributes, after).length === 0;
      if (same) return void this.add({ ...base, action: 'noop', reasons: [], before, existingId: rec.id });
      return void this.add({ ...unseen(), action: 'replace', reasons: this.changeReasons(rec, after, hash), before, existingId: rec.id });
    }

    let found = (view.found.container.get(spec.name) ?? []).map((f) => view.containers.get(f.id)!);
    // A record moved by `mfile state mv`: the container keeps the labels of its first name; its id finds it.
    if (found.length === 0 && rec?.id && view.containers.has(rec.id)) found = [view.containers.get(rec.id)!];
    if (found.length === 0) {
      const reason = rec ? 'missing on the machine (deleted outside mfile)' : 'not in state';
      return void this.add({ ...base, action: 'create', reasons: [reason], before: null });
    }
    // Keep the best match (one under its own name, then the recorded one, then the right config and running),
    // delete the others. A previous version an interrupted rolling step left renamed goes once one is in place.
    const previous = (c: ObservedContainer): boolean => isPreviousVersion(c.name, containerEngineName(this.project, spec));
    const score = (c: ObservedContainer): number =>
      (previous(c) ? 0 : 8) + (c.id === rec?.id ? 4 : 0) + (c.labels[LABEL_CONFIG_HASH] === hash ? 2 : 0) + (c.state === 'running' ? 1 : 0);
    const ranked = [...found].sort((a, b) => score(b) - score(a) || byString(a.id, b.id));
    const keep = ranked[0];
    for (const dup of ranked.slice(1)) this.addDuplicateDelete('container', spec.name, m, dup.id, previous(dup) ? [`the previous version ${dup.name}, left by an interrupted rolling update`] : undefined);

    const known = { ...base, before: before ?? null, existingId: keep.id };
    if (rec && rec.status !== 'created') return void this.add({ ...known, action: 'replace', reasons: [taintReason(rec)] });
    if (previous(keep)) {
      // Only the previous version is there (stopped, with stop-first): the update goes on, and puts it back running if it fails.
      const changed = keep.labels[LABEL_CONFIG_HASH] !== hash ? this.changeReasons(rec, after, hash, keep.labels[LABEL_CONFIG_HASH]) : [];
      const reasons = [`an interrupted rolling update left it as ${keep.name}${keep.state === 'running' ? '' : ', stopped'}`, ...changed];
      return void this.add({ ...known, action: 'replace', reasons, previousRan: true });
    }
    if (this.replace.has(address)) return void this.add({ ...known, before: before ?? after, action: 'replace', reasons: [REPLACE_REQUESTED] });
    // Imported (no labels): `mfile import` compared it with machines.yml and recorded the hash only when it matched.
    const imported = keep.labels[LABEL_CONFIG_HASH] === undefined && keep.id === rec?.id;
    if (keep.labels[LABEL_CONFIG_HASH] !== hash && !(imported && rec.configHash === hash)) {
      return void this.add({ ...known, action: 'replace', reasons: this.changeReasons(rec, after, hash, keep.labels[LABEL_CONFIG_HASH]) });
    }
    const moved = this.moved.get(objectAddress('image', this.imageName(spec.image), m));
    if (moved) return void this.add({ ...known, action: 'replace', reasons: [moved] });
    const imageId = view.images.get(normaliseImageRef(spec.image));
    if (imageId !== undefined && keep.imageId && keep.imageId !== imageId) {
      return void this.add({ ...known, action: 'replace', reasons: [`image ${spec.image} was updated: ${shortId(keep.imageId)} -> ${shortId(imageId)}`] });
    }
    const finishing = ranked.some(previous) ? ['the new version of an interrupted rolling update is in place'] : [];
    const adopted = finishing.length ? finishing : !rec || rec.id !== keep.id ? ['adopted: found on the machine by its labels'] : [];
    const run = runState(keep, spec);
    if (run.action === 'noop') return void this.add({ ...known, before: before ?? after, action: 'noop', reasons: adopted });
    this.add({ ...known, before: before ?? after, action: run.action, reasons: [...adopted, run.reason] });
  }

  /** Explains a config hash change from the recorded attributes. */
  private changeReasons(rec: ObjectRecord | undefined, after: Record<string, unknown>, hash: string, liveHash?: string): string[] {
    if (rec?.importDiff?.length) return rec.importDiff.map((d) => `differs from machines.yml since import: ${d}`);
    if (!rec || Object.keys(rec.attributes).length === 0) return ['config hash changed'];
    const changes = diffAttributes(rec.attributes, after);
    if (changes.length > 0) return changes.map(changeReason);
    if (rec.configHash === hash && liveHash !== undefined) return ['config hash changed on the machine (changed outside mfile)'];
    return [this.sensitive.length > 0 ? 'a sensitive value changed' : 'config hash changed'];
  }

  // ---------------------------------------------------------------- deletes

  /** Everything on a machine that is removed (or everything, for destroy). */
  private planDeleteAll(view: MachineView): void {
    const reasons = !this.destroy ? [`machine ${view.name} is removed from machines.yml`] : [];
    for (const kind of ['container', 'network', 'volume'] as const) {
      for (const name of existingNames(view, kind)) this.deleteExisting(view, kind, name, reasons);
    }
    for (const [name, rec] of [...view.records.image].sort((a, b) => byString(a[0], b[0]))) {
      this.add({ address: rec.address, kind: 'image', machine: view.name, name, action: 'delete', reasons, before: { ref: name }, after: null, dependsOn: [], existingId: rec.id, image: this.imageToRemove(view.name, name, rec.id) });
    }
  }

  /** Delete nodes for the recorded object and every instance found by labels. */
  private deleteExisting(view: MachineView, kind: 'container' | 'network' | 'volume', name: string, reasons: string[]): void {
    const m = view.name;
    const address = objectAddress(kind, name, m);
    const rec = view.records[kind].get(name);
    const found = view.mode === 'live' ? [...(view.found[kind].get(name) ?? [])].sort((a, b) => byString(a.id, b.id)) : [];
    const before = rec?.attributes ?? {};
    if (found.length === 0) {
      if (rec) this.add({ address, kind, machine: m, name, action: 'delete', reasons, before, after: null, dependsOn: [], existingId: rec.id });
      return;
    }
    const first = found.find((f) => f.id === rec?.id) ?? found[0];
    this.add({ address, kind, machine: m, name, action: 'delete', reasons, before, after: null, dependsOn: [], existingId: first.id });
    for (const f of found) if (f !== first) this.addDuplicateDelete(kind, name, m, f.id, reasons);
  }

  private addDuplicateDelete(kind: ObjectNodeKind, name: string, machine: string, id: string, reasons: string[] = ['duplicate']): void {
    const address = `${objectAddress(kind, name, machine)}#${shortId(id)}`;
    this.add({ address, kind, machine, name, action: 'delete', reasons, before: {}, after: null, dependsOn: [], existingId: id });
  }

  // ---------------------------------------------------------------- edges

  private add(node: PlanNode): PlanNode {
    if (node.kind === 'container' && node.action === 'replace') {
      const info = this.containerInfo.get(node.address);
      if (info) node.replaceStrategy = this.replaceStrategy(info.spec);
    }
    this.nodes.set(node.address, node);
    if (node.kind !== 'machine') {
      let list = this.onMachine.get(node.machine);
      if (!list) this.onMachine.set(node.machine, (list = []));
      list.push(node);
      if (node.kind === 'container') {
        const names = this.containerNodes.get(node.name);
        if (names) names.push(node.address);
        else this.containerNodes.set(node.name, [node.address]);
      }
    }
    return node;
  }

  private addEdges(): void {
    for (const [m, list] of this.onMachine) {
      const machineNode = this.nodes.get(machineAddress(m));
      const containerDeletes = list.filter((n) => n.kind === 'container' && n.action === 'delete').map((n) => n.address);
      const containerRemovals = list.filter((n) => n.kind === 'container' && (n.action === 'delete' || n.action === 'replace')).map((n) => n.address);
      const deletes: string[] = [];
      for (const n of list) {
        const deps = new Set<string>();
        if (n.action === 'delete') {
          deletes.push(n.address);
          if (n.kind === 'container') for (const d of this.dependentDeletes(n.name)) deps.add(d);
          else for (const c of containerRemovals) deps.add(c);
        } else {
          if (machineNode && machineNode.action !== 'delete') deps.add(machineNode.address);
          if (n.kind === 'container') {
            const info = this.containerInfo.get(n.address);
            if (info) this.containerForwardDeps(n, info, deps);
            // A removed container frees its name and ports before anything new starts.
            if (n.action === 'create' || n.action === 'replace') for (const d of containerDeletes) deps.add(d);
          }
        }
        deps.delete(n.address);
        n.dependsOn = [...deps];
      }
      if (machineNode && (machineNode.action === 'delete' || machineNode.action === 'replace')) {
        machineNode.dependsOn = [...new Set([...machineNode.dependsOn, ...deletes])];
      }
    }
  }

  private containerForwardDeps(n: PlanNode, info: ContainerInfo, deps: Set<string>): void {
    for (const u of info.uses) {
      const target = this.nodes.get(u);
      if (target && target.action !== 'delete') deps.add(u);
    }
    for (const dep of containerDeps(info.spec)) {
      const machines = this.placement.get(dep) ?? [];
      // Same machine when the dependency runs there; otherwise every machine it runs on.
      const where = machines.includes(n.machine) ? [n.machine] : machines;
      for (const w of where) {
        const a = objectAddress('container', dep, w);
        const target = this.nodes.get(a);
        if (target && target.action !== 'delete') deps.add(a);
      }
    }
  }

  /** Deletes of containers that depend on `name`: they go first. */
  private dependentDeletes(name: string): string[] {
    const out: string[] = [];
    for (const d of this.dependents.get(name) ?? []) {
      for (const a of this.containerNodes.get(d) ?? []) if (this.nodes.get(a)?.action === 'delete') out.push(a);
    }
    return out;
  }
}

// ---------------------------------------------------------------- helpers

function taintReason(rec: ObjectRecord): string {
  return rec.status === 'tainted' ? 'tainted: a previous create failed' : 'pending: a previous create did not finish';
}

/** Names of objects of one kind on the machine: recorded in the state or found by labels. */
function existingNames(view: MachineView, kind: 'container' | 'network' | 'volume'): string[] {
  const names = new Set(view.records[kind].keys());
  // Labels of a name no record holds, on objects another record holds by id (moved by `mfile state mv`), are that record's.
  const recordedIds = new Set([...view.records[kind].values()].map((r) => r.id));
  const movedAway = (n: string): boolean => !view.records[kind].has(n) && (view.found[kind].get(n) ?? []).every((f) => recordedIds.has(f.id));
  if (view.mode === 'live') for (const n of view.found[kind].keys()) if (!movedAway(n)) names.add(n);
  return [...names].sort(byString);
}

/** A network a container names without declaring it (e.g. Compose's `default`): a plain bridge. */
function implicitNetwork(name: string): NetworkSpec {
  return { name, driver: 'bridge', driverOpts: {}, internal: false, attachable: false, enableIpv6: false, enableIpv4: true, labels: {}, external: false };
}

function implicitVolume(name: string): VolumeSpec {
  return { name, driver: 'local', driverOpts: {}, labels: {}, external: false };
}
