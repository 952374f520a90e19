// Types shared by the executor and the step handlers.
import type { Desired, MachineRecord, NodeKind, SwarmNodeKind, ObjectRecord, Plan, PlanNode, ProgressSink, State, SwarmState } from '../model/index.js';
import type { Connections } from './connections.js';

/** What a finished node changes in the state. */
export interface NodeOutcome {
  /** The object's record at node.address; null removes it. Undefined leaves the state as it is. */
  record?: Partial<ObjectRecord> | null;
  /** The machine's record (machine nodes); null removes it. */
  machineRecord?: MachineRecord | null;
  /** Swarm nodes: the state's swarm section after this step (undefined leaves it as it is). */
  swarm?: (current: SwarmState | undefined) => SwarmState | undefined;
  /** Past-tense word for the done event (default from the action: created, replaced, destroyed...). */
  text?: string;
}

export interface StepContext {
  node: PlanNode;
  desired: Desired;
  /** The state as of now (read-only: return changes in the outcome). */
  state: State;
  conns: Connections;
  /** Aborted on interrupt: waits and pulls stop; engine calls already made are left to finish. */
  signal: AbortSignal;
  /** A one-line progress note under the node (`sub` names a step below it, e.g. `pull`). */
  progress(text: string, sub?: string): void;
  /** Extra options the CLI passes through (timeouts). */
  options: StepOptions;
  /**
   * Write the machine's record to the state file now (before a driver create: pending; after a failed one:
   * tainted), so a crash never leaves an unknown host. Resolves once it is on disk.
   */
  checkpointMachine?(record: MachineRecord): Promise<void>;
}

export interface StepOptions {
  /** Longest wait for a depends_on condition without a health check to bound it. Default 120 s. */
  dependencyTimeoutMs?: number;
}

export interface StepHandler {
  /** Runs before the node takes an engine slot: waits on other containers (depends_on conditions). */
  gate?(ctx: StepContext): Promise<void>;
  run(ctx: StepContext): Promise<NodeOutcome>;
}

/** Swarm steps are optional so a test's handler set for the core kinds still fits. */
export type StepHandlers = Record<Exclude<NodeKind, SwarmNodeKind>, StepHandler> & Partial<Record<SwarmNodeKind, StepHandler>>;

/** A step that failed after creating something: the object is recorded as tainted with this id. */
export class StepError extends Error {
  constructor(
    message: string,
    readonly partialId?: string,
  ) {
    super(message);
    this.name = 'StepError';
  }
}

export interface ApplyArgs {
  plan: Plan;
  desired: Desired;
  store: { write(state: State): Promise<State> };
  state: State;
  parallelism: number;
  perMachine: number;
  sink: ProgressSink;
  signal: AbortSignal;
  /** Default: a fresh set for this run, closed at the end. */
  conns?: Connections;
  /** Default: the real Docker steps. Tests pass fakes. */
  handlers?: StepHandlers;
  /** The .mfile folder (for drivers); default beside the config. */
  stateDir?: string;
  options?: StepOptions;
}

export interface ApplyResult {
  done: string[];
  failed: { address: string; error: string }[];
  /** Downstream of a failure: never run. */
  skipped: { address: string; cause: string }[];
  /** Not started because the run was interrupted. */
  notStarted: string[];
  interrupted: boolean;
  /** Done nodes by effect: create -> added, update -> changed, delete -> destroyed, replace -> added and destroyed. */
  counts: { added: number; changed: number; destroyed: number };
  /** The state as last written. */
  state: State;
}
