// A Plan is plain data: made by plan(), rendered as text or JSON, saved to a file, walked by apply.
import type { SshAddress } from './state.js';

export type Action = 'create' | 'update' | 'replace' | 'delete' | 'noop' | 'read';

export type NodeKind = 'machine' | 'network' | 'volume' | 'image' | 'container';

export interface PlanNode {
  /** machine.NAME, container.NAME[MACHINE], network.NAME[MACHINE], volume.NAME[MACHINE], image.REF[MACHINE] */
  address: string;
  kind: NodeKind;
  /** The machine the object lives on (for a machine node: its own name). */
  machine: string;
  /** The object's name as written in machines.yml. */
  name: string;
  action: Action;
  /** Display-only explanations, e.g. `image changed: nginx:1.26 -> nginx:1.27`. */
  reasons: string[];
  /** Masked attributes before and after; null when the object does not exist on that side. */
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  /** Addresses this node waits for. For deletes, edges are already reversed. */
  dependsOn: string[];
  /** Engine id of the existing object to act on (replace/delete/update), when known. */
  existingId?: string;
  /**
   * Machine nodes that create, replace or delete over a prior record: the host being removed as the state
   * recorded it. Removal reaches it at this address with these pins, never at the address in machines.yml.
   */
  priorHost?: PriorHost;
  /**
   * A delete of an object on a machine being deleted whose driver removes the host with everything on it
   * (trait removesHostedObjects): the machine's removal takes it, so it needs no engine call of its own.
   */
  removedWithMachine?: true;
}

/** Where a previous machine lives and the host keys pinned for it. */
export interface PriorHost {
  /** What the driver's create returned (ids, pids, address). */
  driverData: Record<string, unknown>;
  /** Absent when mfile never logged in to it. */
  ssh?: SshAddress;
  hostKeyFingerprint?: string;
  jumpHostKeyFingerprint?: string;
}

export interface PlanSummary {
  add: number;
  change: number;
  destroy: number;
}

export interface Plan {
  formatVersion: 1;
  mfileVersion: string;
  project: string;
  /** Absolute path of the config the plan was made from. */
  configPath: string;
  configDigest: string;
  stateLineage: string;
  stateSerial: number;
  destroy: boolean;
  /** Sorted by address; dependsOn defines the order of execution. */
  nodes: PlanNode[];
  summary: PlanSummary;
  warnings: string[];
}
