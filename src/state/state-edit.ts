// `mfile state rm` and `mfile state mv`: edits of the state file's records, never of machines. Each edit runs
// under the state lock, on a fresh read, and is written atomically with the serial raised.
import { UsageError } from '../errors.js';
import { parseAddress } from '../model/names.js';
import type { MachineRecord, ObjectRecord, State } from '../model/state.js';
import type { LockOptions } from './lock.js';
import { StateStore } from './state-store.js';

/** Every address the state records, sorted. */
export function stateAddresses(state: State): string[] {
  const all = [...Object.keys(state.machines).map((m) => `machine.${m}`), ...Object.keys(state.objects)];
  return all.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** The record at an address, or undefined. */
export function recordAt(state: State, address: string): MachineRecord | ObjectRecord | undefined {
  const a = parseAddress(address);
  if (a?.kind === 'machine') return state.machines[a.name];
  return state.objects[address];
}

/** Locks the state, reads it, lets `edit` change a copy, and writes it back (serial + 1) unless edit throws. */
export async function editState<R>(statePath: string, operation: string, lock: LockOptions, edit: (s: State) => R): Promise<{ result: R; state: State }> {
  const store = new StateStore(statePath);
  const held = await store.lock(operation, lock);
  try {
    const state = await store.read();
    const next = structuredClone(state);
    const result = edit(next);
    return { result, state: await store.write(next) };
  } finally {
    await held.release();
  }
}

/**
 * Forgets the records at `addresses` (a machine takes the records of the objects on it along). Returns what was
 * removed, sorted; the caller has checked that each address is recorded.
 */
export function removeRecords(state: State, addresses: readonly string[]): string[] {
  const removed = new Set<string>();
  for (const address of addresses) {
    const a = parseAddress(address);
    if (a?.kind === 'machine') {
      if (!state.machines[a.name]) continue;
      delete state.machines[a.name];
      removed.add(address);
      for (const [k, rec] of Object.entries(state.objects)) {
        if (rec.machine !== a.name) continue;
        delete state.objects[k];
        removed.add(k);
      }
    } else if (state.objects[address]) {
      delete state.objects[address];
      removed.add(address);
    }
  }
  return [...removed].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
}

/** What a move needs to know from outside the state (machines.yml and the drivers), asked only when it matters. */
export interface MoveChecks {
  /**
   * The engine name machines.yml gives the network or volume at `name` (undefined when machines.yml did not load
   * or does not declare it).
   */
  engineNameInConfig?: (kind: 'network' | 'volume', name: string) => string | undefined;
  /** The engine name an object recorded under `name` has: `<project>_<name>` unless it was named otherwise. */
  engineNameOf?: (kind: 'network' | 'volume', rec: ObjectRecord) => string;
  /** Whether the machine's driver made its host (a sandbox, a VM, a cloud server) under the machine's name. */
  driverCreatesHost?: (driver: string) => boolean;
}

function checkAddresses(state: State, src: string, dst: string): { from: NonNullable<ReturnType<typeof parseAddress>>; to: NonNullable<ReturnType<typeof parseAddress>> } {
  const from = parseAddress(src);
  const to = parseAddress(dst);
  if (!from || from.instance !== undefined) throw new UsageError(`${src} is not an address (expected KIND.NAME[MACHINE])`);
  if (!to || to.instance !== undefined) throw new UsageError(`${dst} is not an address (expected KIND.NAME[MACHINE])`);
  if (!recordAt(state, src)) throw new UsageError(`${src} is not in the state (see mfile state list)`);
  if (from.kind !== to.kind) throw new UsageError(`cannot move ${src} to ${dst}: a ${from.kind} cannot become a ${to.kind}`);
  if (recordAt(state, dst)) throw new UsageError(`cannot move ${src} to ${dst}: ${dst} is already in the state (remove it first with mfile state rm ${dst})`);
  if (src === dst) throw new UsageError(`${src} and ${dst} are the same address`);
  if (from.kind === 'image') throw new UsageError(`cannot move ${src}: an image is known by its reference; the next plan finds it again`);
  if (from.kind !== 'machine' && from.machine !== to.machine) {
    throw new UsageError(`cannot move ${src} to ${dst}: the ${from.kind} is on ${from.machine}, not on ${to.machine}`);
  }
  return { from, to };
}

/**
 * Renames the record at `src` to `dst` and returns every address moved, sorted by the old one. The engine object
 * keeps the name and labels it was made with; the planner finds it again by the id the record holds. So a
 * container moves freely; a network or volume only when machines.yml gives `dst` the engine name it already has
 * (containers reach it by that name); a machine only when its driver adopted the host rather than making it under
 * the machine's name, and its objects move along with it.
 */
export function moveRecord(state: State, src: string, dst: string, checks: MoveChecks = {}): [from: string, to: string][] {
  const { from, to } = checkAddresses(state, src, dst);
  const now = new Date().toISOString();
  if (from.kind === 'machine') {
    const rec = state.machines[from.name];
    if (checks.driverCreatesHost?.(rec.driver) ?? true) {
      throw new UsageError(`cannot move ${src}: driver ${rec.driver} made the host under the name ${from.name}; renaming the record cannot rename the host`);
    }
    delete state.machines[from.name];
    state.machines[to.name] = { ...rec, name: to.name, updatedAt: now };
    const moved: [string, string][] = [[src, dst]];
    for (const [address, o] of Object.entries(state.objects).sort(([a], [b]) => (a < b ? -1 : 1))) {
      if (o.machine !== from.name) continue;
      const next = address.slice(0, address.lastIndexOf('[')) + `[${to.name}]`;
      delete state.objects[address];
      state.objects[next] = { ...o, address: next, machine: to.name, updatedAt: now };
      moved.push([address, next]);
    }
    return moved;
  }
  const rec = state.objects[src];
  if (!rec.id) throw new UsageError(`cannot move ${src}: its record holds no id to find the ${from.kind} by`);
  if (from.kind === 'network' || from.kind === 'volume') {
    const has = checks.engineNameOf?.(from.kind, rec);
    const wanted = checks.engineNameInConfig?.(from.kind, to.name);
    if (wanted === undefined) throw new UsageError(`cannot move ${src} to ${dst}: machines.yml does not declare ${from.kind}s.${to.name} (rename it there first)`);
    if (has !== wanted) {
      throw new UsageError(`cannot move ${src} to ${dst}: the engine knows the ${from.kind} as ${has ?? '?'}, machines.yml would look for ${wanted}; add name: ${has ?? '?'} under ${from.kind}s.${to.name} first`);
    }
  }
  delete state.objects[src];
  state.objects[dst] = { ...rec, address: dst, name: to.name, updatedAt: now };
  return [[src, dst]];
}
