// Walks the plan DAG: bounded concurrency (overall and per machine), a failure skips only its dependents,
// state is checkpointed after every finished node, and an abort stops scheduling. Decides nothing itself.
import pLimit from 'p-limit';
import type { ObjectKind, ObjectRecord, PlanNode, ProgressEvent, State } from '../model/index.js';
import { Checkpointer } from './checkpoint.js';
import { createConnections } from './connections.js';
import { defaultHandlers } from './steps/index.js';
import { engineMessage } from '../remote/docker/errors.js';
import { Masker } from '../masking.js';
import { StepError, type ApplyArgs, type ApplyResult, type NodeOutcome, type StepContext, type StepHandlers } from './types.js';

const RUNNING: Record<string, string> = { create: 'creating', update: 'updating', replace: 'replacing', delete: 'destroying', read: 'reading' };
const DONE: Record<string, string> = { create: 'created', update: 'updated', replace: 'replaced', delete: 'destroyed', read: 'read' };

const parentOf = (n: PlanNode): string | undefined => (n.kind === 'machine' ? undefined : `machine.${n.machine}`);

/** The first line of an error, masked before it is cut: a value with a line break would leave a piece behind. */
function errorText(err: unknown, masker: Masker): string {
  let e = err;
  if (err instanceof Error && !masker.empty) {
    // engineMessage keeps the first line of a message: mask first. The copy inherits code, json and the rest.
    e = Object.create(err) as Error;
    Object.defineProperty(e, 'message', { value: masker.text(err.message) });
  }
  return masker.text(engineMessage(e)).split('\n')[0];
}

function record(node: PlanNode, state: State, outcome: NodeOutcome, status: ObjectRecord['status'], id?: string): ObjectRecord {
  return {
    address: node.address,
    kind: node.kind as ObjectKind,
    machine: node.machine,
    name: node.name,
    ...(id ? { id } : {}),
    status,
    attributes: node.after ?? state.objects[node.address]?.attributes ?? {},
    updatedAt: new Date().toISOString(),
    ...(outcome.record ?? {}),
  };
}

export async function applyPlan(args: ApplyArgs): Promise<ApplyResult> {
  const { plan, desired, sink, signal } = args;
  const conns = args.conns ?? createConnections(desired, args.state, { stateDir: args.stateDir, signal });
  const handlers = args.handlers ?? defaultHandlers;
  const checkpoint = new Checkpointer(args.store, args.state);
  const global = pLimit(Math.max(1, args.parallelism));
  const perMachine = new Map<string, ReturnType<typeof pLimit>>();
  const machineLimit = (m: string): ReturnType<typeof pLimit> => {
    let l = perMachine.get(m);
    if (!l) perMachine.set(m, (l = pLimit(Math.max(1, args.perMachine))));
    return l;
  };

  const masker = new Masker({ values: desired.sensitiveValues, numbers: desired.sensitiveNumbers });
  const emit = (e: Omit<ProgressEvent, 'time'>): void => sink({ ...e, time: Date.now() });
  const byAddress = new Map(plan.nodes.map((n) => [n.address, n]));
  const result: ApplyResult = { done: [], failed: [], skipped: [], notStarted: [], interrupted: false, counts: { added: 0, changed: 0, destroyed: 0 }, state: args.state };
  /** Root cause of a node that did not complete (failed address, or "interrupted"). */
  const blocked = new Map<string, string>();
  const settled = new Map<string, Promise<boolean>>();

  assertAcyclic(plan.nodes, byAddress);
  const active = plan.nodes.filter((n) => n.action !== 'noop');
  for (const n of active) emit({ id: n.address, parent: parentOf(n), status: 'pending', text: `${n.action} ${n.address}` });

  const runNode = async (node: PlanNode): Promise<boolean> => {
    // Order-only edges: wait for them to settle, whatever their outcome.
    const after = (node.runsAfter ?? []).filter((d) => byAddress.has(d) && d !== node.address);
    await Promise.all(after.map((d) => settled.get(d) ?? visit(byAddress.get(d)!)));
    const deps = node.dependsOn.filter((d) => byAddress.has(d) && d !== node.address);
    const ok = await Promise.all(deps.map((d) => settled.get(d) ?? visit(byAddress.get(d)!)));
    const skip = (cause: string): false => {
      if (cause === 'interrupted') result.notStarted.push(node.address);
      else result.skipped.push({ address: node.address, cause });
      emit({ id: node.address, parent: parentOf(node), status: 'skipped', text: cause === 'interrupted' ? 'not started: interrupted' : `skipped: ${cause}` });
      return false;
    };
    if (ok.some((x) => !x)) {
      const root = deps.map((d) => blocked.get(d)).find((c) => c !== undefined) ?? 'a dependency did not complete';
      blocked.set(node.address, root);
      return node.action === 'noop' ? false : skip(root === 'interrupted' ? 'interrupted' : `depends on ${root}, which failed`);
    }
    if (node.action === 'noop') return true;
    if (signal.aborted) {
      blocked.set(node.address, 'interrupted');
      return skip('interrupted');
    }

    const ctx: StepContext = {
      node,
      desired,
      state: checkpoint.state,
      conns,
      signal,
      options: args.options ?? {},
      progress: (text, sub) =>
        emit({ id: sub ? `${node.address}/${sub}` : node.address, parent: sub ? node.address : parentOf(node), status: 'running', text }),
      checkpointMachine: async (r) => {
        checkpoint.update((s) => {
          s.machines[node.machine] = r;
        });
        await checkpoint.flush();
      },
    };
    const handler = handlers[node.kind as keyof StepHandlers] ?? { run: () => Promise.reject(new Error(`${node.address}: no step for a ${node.kind} node in this mfile`)) };
    const started = Date.now();
    try {
      if (handler.gate) await handler.gate(ctx);
      const outcome = await global(() =>
        machineLimit(node.machine)(async () => {
          if (signal.aborted) return undefined; // interrupted while queued: never started
          emit({ id: node.address, parent: parentOf(node), status: 'running', text: `${RUNNING[node.action] ?? node.action}…` });
          // The machine's own removal takes this object with it; its engine may already be unreachable.
          if (node.removedWithMachine) return { record: null, text: `removed with machine ${node.machine}` };
          return handler.run({ ...ctx, state: checkpoint.state });
        }),
      );
      if (!outcome) {
        blocked.set(node.address, 'interrupted');
        return skip('interrupted');
      }
      checkpoint.update((s) => {
        if (outcome.machineRecord === null) delete s.machines[node.machine];
        else if (outcome.machineRecord) s.machines[node.machine] = outcome.machineRecord;
        if (outcome.swarm) {
          const next = outcome.swarm(s.swarm);
          if (next) s.swarm = next;
          else delete s.swarm;
        }
        if (node.kind !== 'machine' && !node.swarm) {
          if (outcome.record === null || (outcome.record === undefined && node.action === 'delete')) delete s.objects[node.address];
          else if (outcome.record) s.objects[node.address] = record(node, s, outcome, 'created');
        }
      });
      const elapsedMs = Date.now() - started;
      result.done.push(node.address);
      // As Terraform counts: a replacement is one add and one destroy.
      if (node.action === 'create' || node.action === 'replace') result.counts.added++;
      if (node.action === 'delete' || node.action === 'replace') result.counts.destroyed++;
      if (node.action === 'update') result.counts.changed++;
      emit({ id: node.address, parent: parentOf(node), status: 'done', text: outcome.text ?? DONE[node.action] ?? 'done', elapsedMs });
      return true;
    } catch (err) {
      const interrupted = signal.aborted && (err as Error)?.name === 'AbortError';
      if (interrupted) {
        blocked.set(node.address, 'interrupted');
        return skip('interrupted');
      }
      const message = errorText(err, masker);
      if (err instanceof StepError && err.partialId && node.kind !== 'machine') {
        const partialId = err.partialId;
        checkpoint.update((s) => {
          s.objects[node.address] = record(node, s, {}, 'tainted', partialId);
        });
      }
      blocked.set(node.address, node.address);
      result.failed.push({ address: node.address, error: message });
      emit({ id: node.address, parent: parentOf(node), status: 'failed', text: `failed: ${message}`, elapsedMs: Date.now() - started });
      return false;
    }
  };

  const visit = (node: PlanNode): Promise<boolean> => {
    let p = settled.get(node.address);
    if (!p) {
      // Set before awaiting so a cycle or a diamond reuses the same promise.
      p = Promise.resolve().then(() => runNode(node));
      settled.set(node.address, p);
    }
    return p;
  };

  try {
    await Promise.all(plan.nodes.map(visit));
  } finally {
    if (!args.conns) await conns.closeAll();
  }
  result.interrupted = signal.aborted;
  result.state = await checkpoint.flush();
  if (result.interrupted) emit({ id: 'apply', status: 'warning', text: 'interrupted: no new steps were started; state saved' });
  return result;
}

/** A cycle would leave nodes waiting on each other forever: refuse it up front, naming one node on it. */
function assertAcyclic(nodes: PlanNode[], byAddress: Map<string, PlanNode>): void {
  const mark = new Map<string, 1 | 2>();
  const walk = (a: string, path: string[]): void => {
    if (mark.get(a) === 2) return;
    if (mark.get(a) === 1) throw new Error(`plan has a dependency cycle: ${[...path.slice(path.indexOf(a)), a].join(' -> ')}`);
    mark.set(a, 1);
    const n = byAddress.get(a);
    for (const d of [...(n?.dependsOn ?? []), ...(n?.runsAfter ?? [])]) if (byAddress.has(d) && d !== a) walk(d, [...path, a]);
    mark.set(a, 2);
  };
  for (const n of nodes) walk(n.address, []);
}
