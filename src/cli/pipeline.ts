// load config -> lock state -> read state -> refresh -> plan: the path shared by plan, apply and destroy.
import path from 'node:path';
import { StateStore, warnIfNotIgnored, type StateLock } from '../state/index.js';
import { engineMisfits, plan as makePlan } from '../plan/index.js';
import { UsageError } from '../errors.js';
import { refresh, type Connections } from '../apply/index.js';
import { connect, type StateRef } from './connect.js';
import type { Desired, Observed, Plan, State } from '../model/index.js';
import { assertReplaced } from './replace-check.js';
import { loadDesired, resolveStatePath, warn, type ConfigOptions } from './common.js';
import { preCreateChecks } from './pre-create-check.js';

export interface PipelineOptions extends ConfigOptions {
  target: string[];
  refresh: boolean;
  lockTimeout: number;
  /** `--replace ADDR` (plan and apply). */
  replace?: string[];
}

export interface PreparedRun {
  desired: Desired;
  store: StateStore;
  lock: StateLock;
  state: State;
  /** Follows every state write of the run. */
  stateRef: StateRef;
  conns: Connections;
  plan: Plan;
}

export async function openRun(opts: PipelineOptions, operation: string): Promise<Omit<PreparedRun, 'plan'>> {
  // git check-ignore runs in its own process while the config loads and the state is locked and read.
  const gitCheck = warnIfNotIgnored(path.dirname(resolveStatePath(opts)));
  const desired = await loadDesired(opts);
  const statePath = resolveStatePath(opts);
  const store = new StateStore(statePath);
  const lock = await store.lock(operation, { timeoutMs: opts.lockTimeout, notice: warn });
  try {
    const state = await store.read();
    const ignored = await gitCheck;
    if (ignored) warn(ignored);
    const stateRef: StateRef = { current: state };
    const conns = connect(desired, stateRef, statePath);
    return { desired, store, lock, state, stateRef, conns };
  } catch (err) {
    await lock.release();
    throw err;
  }
}

export async function observe(run: Omit<PreparedRun, 'plan'>, doRefresh: boolean): Promise<Observed> {
  if (!doRefresh) return { refreshed: false, machines: {} };
  return refresh(run.desired, run.state, run.conns);
}

export async function prepareRun(opts: PipelineOptions, operation: string, destroy: boolean): Promise<PreparedRun> {
  const run = await openRun(opts, operation);
  try {
    const observed = await observe(run, opts.refresh);
    const plan = makePlan(run.desired, run.state, observed, { destroy, targets: opts.target, replace: opts.replace });
    if (opts.replace?.length) assertReplaced(plan, opts.replace);
    const misfits = engineMisfits(run.desired, plan, observed);
    if (misfits.length) throw new UsageError(misfits.join('\n'));
    // Also with --refresh=false: that skips asking existing hosts what is there, not whether new ones can be made.
    await preCreateChecks(plan, run.desired, run.state, path.dirname(resolveStatePath(opts)));
    return { ...run, plan };
  } catch (err) {
    await closeRun(run);
    throw err;
  }
}

export async function closeRun(run: Pick<PreparedRun, 'lock' | 'conns'>): Promise<void> {
  await run.conns.closeAll().catch(() => undefined);
  await run.lock.release();
}

export function hasChanges(plan: Plan): boolean {
  return plan.nodes.some((n) => n.action !== 'noop' && n.action !== 'read');
}
