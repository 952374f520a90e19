// A Plan is plain data: made by plan(), rendered as text or JSON, saved to a file, walked by apply.
import type { SshAddress } from './state.js';
import type { CreateChoices } from './observed.js';
import type { SwarmStepData } from './swarm.js';

export type Action = 'create' | 'update' | 'replace' | 'delete' | 'noop' | 'read';

export type NodeKind = 'machine' | 'network' | 'volume' | 'image' | 'container' | SwarmNodeKind;

/** swarm.MACHINE (membership), service.NAME, swarm-network.NAME, swarm-secret.NAME, swarm-config.NAME. */
export type SwarmNodeKind = 'swarm' | 'service' | 'swarm-network' | 'swarm-secret' | 'swarm-config';

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
  // ---- What the step needs, decided by the planner (the executor decides nothing; apply never imports plan/).
  /**
   * Container, network, volume: the io.mfile.config-hash the step stamps and records. Provisioned machine:
   * the engine config hash provisioning writes on the host and the state records.
   */
  configHash?: string;
  /** Container replace: how the old container makes way for the new one. */
  replaceStrategy?: ReplaceStrategy;
  /** Container replace under deploy.update_config: its batch and what the step does around the replace. */
  rolling?: RollingStep;
  /**
   * Container replace of the previous version an interrupted rolling step left stopped under its
   * `-mfile-previous-` name: it ran before that step stopped it, so a failed update starts it again.
   */
  previousRan?: true;
  /**
   * Order-only edges: this node starts after these have finished, whether they succeeded or not (a rolling
   * update with failure_action continue). A failure along them skips nothing.
   */
  runsAfter?: string[];
  /** Image nodes: where the reference comes from and the settled pull policy. */
  image?: ImageStepData;
  /** Container create/replace/update: where each depends_on dependency is waited for, in machines.yml order by name. */
  waitFor?: ContainerWait[];
  /** Machine nodes that run a step: the driver options as given, masked (the state record keeps them unpruned). */
  driverOptions?: Record<string, unknown>;
  /**
   * A delete of an object on a machine being deleted whose driver removes the host with everything on it
   * (trait removesHostedObjects): the machine's removal takes it, so it needs no engine call of its own.
   */
  removedWithMachine?: true;
  /**
   * Container create/replace planned from the state (the engine was not looked at, e.g. it did not answer): once
   * the step has its container, it removes the others carrying the object's labels, which an interrupted run may
   * have left (a create that reached the engine as it died) and which the plan could not see.
   */
  settleLeftovers?: true;
  /** Swarm nodes: what the step does, decided by the planner. */
  swarm?: SwarmStepData;
  /** Machine create/replace of a driver with trait createChoices: what refresh found the create will choose. */
  createChoices?: CreateChoices;
}

/**
 * start-first: the new container is created under a temporary name and started (healthy, with a health check)
 * before the old one goes. stop-first: the two cannot run side by side (published host ports, fixed addresses):
 * the old one is stopped first and started again if the new one fails. `because` names what they would share.
 */
export type ReplaceStrategy = { kind: 'start-first' } | { kind: 'stop-first'; because: string[] };

/**
 * One machine's step of a rolling update. The old container is kept (renamed) until the new one is healthy (its
 * health check passes, then it keeps running and healthy for monitorMs); otherwise the old one is put back.
 */
export interface RollingStep {
  /** 1-based batch number, and how many batches the update has. */
  batch: number;
  batches: number;
  /** Waited before this node starts (update_config.delay; 0 for the first batch). */
  delayMs: number;
  monitorMs: number;
  /**
   * rollback: the new container is removed and the old one put back; pause: the same, but the new one is kept
   * stopped under a `-failed-` name for inspection; continue: like rollback, and later batches still run.
   */
  failureAction: 'rollback' | 'pause' | 'continue';
}

/** A depends_on dependency (a container of machines.yml) and the machine whose copy of it is waited for. */
export interface ContainerWait {
  container: string;
  machine: string;
}

export type PullPolicy = 'always' | 'missing' | 'never' | 'build';

export interface ImageStepData {
  /**
   * The reference to act on. Absent when it holds a sensitive value (the node is named by a stand-in): the step
   * reads it from `refFrom`'s image in machines.yml, or, for an image no longer declared, acts on `existingId`.
   */
  ref?: string;
  /** The container in machines.yml whose `image` is the reference (when the reference is sensitive). */
  refFrom?: string;
  /** The strongest pull_policy among the containers on the machine that use the image (absent on deletes). */
  pullPolicy?: PullPolicy;
  /** The container whose build section builds the image (pull_policy build, or missing with a build section). */
  buildFrom?: string;
  /** The registry (its name in machines.yml) the reference names: the step sends its credentials with pulls and pushes. */
  registry?: string;
  /** build.push: build here, then push to `registry`; the other machines' nodes pull it after this one. */
  push?: true;
  /** The digest refresh found for the tag in the registry: what the machine runs once the step is done. */
  digest?: string;
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

/** The saved plan format; bumped when a node's shape changes incompatibly (a plan file of another format is refused). */
export const PLAN_FORMAT_VERSION = 2;

export interface Plan {
  formatVersion: typeof PLAN_FORMAT_VERSION;
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
