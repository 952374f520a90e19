// What the per-kind planners share while one plan is made: the inputs, the nodes so far, the indexes they
// fill for each other, and the small helpers every kind uses (adding a node, masking, duplicate deletes).
import {
  traitsOf,
  type ContainerSpec,
  type Desired,
  type DriverTraits,
  type ObjectRecord,
  type Observed,
  type ObservedContainer,
  type ObservedMachine,
  type PlanNode,
  type ReplaceStrategy,
  type SensitiveDigest,
  type State,
} from '../model/index.js';
import { replaceStrategy } from './replace-strategy.js';
import { shortId } from './image-ref.js';
import { imageNodeName } from './image-name.js';
import { jsonMayHoldSensitive, Masker } from '../masking.js';
import { objectAddress, type ObjectNodeKind } from './names.js';

export const REPLACE_REQUESTED = 'replace requested with -replace';

type Mode = 'live' | 'state' | 'fresh';

export interface Found {
  id: string;
  labels: Record<string, string>;
}

export interface MachineView {
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

export interface ContainerInfo {
  spec: ContainerSpec;
  /** Addresses of the network, volume and image nodes it uses. */
  uses: string[];
}

export const emptyFound = (): MachineView['found'] => ({ container: new Map(), network: new Map(), volume: new Map() });
export const emptyRecords = (): MachineView['records'] => ({
  container: new Map(),
  network: new Map(),
  volume: new Map(),
  image: new Map(),
});
export const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
export const sortedKeys = (o: object): string[] => Object.keys(o).sort(byString);

export class PlanContext {
  readonly nodes = new Map<string, PlanNode>();
  readonly warnings: string[] = [];
  readonly project: string;
  readonly sensitive: readonly string[];
  readonly masker: Masker;
  readonly digests: readonly SensitiveDigest[];
  readonly views = new Map<string, MachineView>();
  readonly containerInfo = new Map<string, ContainerInfo>();
  /** Machine -> declared containers on it, sorted by name. */
  readonly specsByMachine = new Map<string, ContainerSpec[]>();
  /** Container name -> the machines it runs on (desired). */
  readonly placement = new Map<string, string[]>();
  /** Container name -> declared containers that depend on it (for reverse delete order). */
  readonly dependents = new Map<string, string[]>();
  /** Container name -> its node addresses, any action. */
  readonly containerNodes = new Map<string, string[]>();
  /** Machine -> node addresses on it (machine node excluded). */
  readonly onMachine = new Map<string, PlanNode[]>();
  readonly sharedCache = new Map<string, { after: Record<string, unknown>; hash: string }>();
  /** Prior object records by machine. */
  readonly recordsByMachine = new Map<string, ObjectRecord[]>();
  /** Held machine -> its own waiting change (0 or 1), added to the waiting count of the objects on it. */
  readonly heldWaiting = new Map<string, number>();
  /** Image node address -> why the containers using it are replaced (its tag moved in the registry). */
  readonly moved = new Map<string, string>();
  /** build.push images: reference -> the builder's node address and the other machines' node addresses. */
  readonly pushed = new Map<string, { builder?: string; pullers: string[] }>();
  builders?: Map<string, string>;

  constructor(
    readonly desired: Desired,
    readonly prior: State,
    readonly observed: Observed,
    readonly destroy: boolean,
    readonly replace: ReadonlySet<string> = new Set(),
  ) {
    this.project = desired.project;
    this.sensitive = desired.sensitiveValues;
    this.digests = desired.sensitiveDigests ?? [];
    this.masker = new Masker({ values: desired.sensitiveValues, numbers: desired.sensitiveNumbers });
  }

  /** The image's node name: the reference, or a stand-in when it holds a sensitive value. */
  imageName(ref: string): string {
    return imageNodeName(ref, this.desired);
  }

  /** Masked attributes; most hold no secret, and one substring test on their JSON spares the deep walk. */
  maskedAttributes(attrs: Record<string, unknown>, json?: string): Record<string, unknown> {
    if (this.masker.empty) return attrs;
    const hasNumbers = (this.desired.sensitiveNumbers?.length ?? 0) > 0;
    if (json !== undefined && !hasNumbers && !jsonMayHoldSensitive(json, this.sensitive)) return attrs;
    return this.masker.value(attrs);
  }

  /**
   * maskedAttributes for a container, from its attributes' canonical JSON in parts: only the values whose JSON
   * may hold a secret are walked (the environment, typically); the result is what a walk of the whole gives.
   */
  maskedContainer(attrs: Record<string, unknown>, json: string, entries: readonly [string, string][]): Record<string, unknown> {
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

  /** What a machine's driver declares: from machines.yml, else (a machine only the state names) the catalog. */
  traitsOfMachine(name: string): DriverTraits {
    return this.desired.machines[name]?.traits ?? traitsOf(this.desired.drivers, this.prior.machines[name]?.driver ?? '');
  }

  /** The replace strategy, with the values it quotes masked. */
  replaceStrategy(spec: ContainerSpec): ReplaceStrategy {
    const s = replaceStrategy(spec);
    return s.kind === 'stop-first' ? { kind: 'stop-first', because: s.because.map((b) => this.masker.text(b)) } : s;
  }

  addDuplicateDelete(kind: ObjectNodeKind, name: string, machine: string, id: string, reasons: string[] = ['duplicate']): void {
    const address = `${objectAddress(kind, name, machine)}#${shortId(id)}`;
    this.add({ address, kind, machine, name, action: 'delete', reasons, before: {}, after: null, dependsOn: [], existingId: id });
  }

  add(node: PlanNode): PlanNode {
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
}

export function taintReason(rec: ObjectRecord): string {
  return rec.status === 'tainted' ? 'tainted: a previous create failed' : 'pending: a previous create did not finish';
}

/** Names of objects of one kind on the machine: recorded in the state or found by labels. */
export function existingNames(view: MachineView, kind: 'container' | 'network' | 'volume'): string[] {
  const names = new Set(view.records[kind].keys());
  // Labels of a name no record holds, on objects another record holds by id (moved by `mfile state mv`), are that record's.
  const recordedIds = new Set([...view.records[kind].values()].map((r) => r.id));
  const movedAway = (n: string): boolean => !view.records[kind].has(n) && (view.found[kind].get(n) ?? []).every((f) => recordedIds.has(f.id));
  if (view.mode === 'live') for (const n of view.found[kind].keys()) if (!movedAway(n)) names.add(n);
  return [...names].sort(byString);
}
