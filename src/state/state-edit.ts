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

/**
 * Renames the record at `src` to `dst`. Only a container moves: its engine object keeps the name and labels it was
 * created with, and the planner finds it again by the id the record holds. A network, volume or image is known to
 * the engine (and to the containers using it) by its name, and a machine's objects carry its name in their labels,
 * so renaming their record could not spare a recreate.
 */
export function moveRecord(state: State, src: string, dst: string): ObjectRecord {
  const from = parseAddress(src);
  const to = parseAddress(dst);
  if (!from || from.instance !== undefined) throw new UsageError(`${src} is not an address (expected KIND.NAME[MACHINE])`);
  if (!to || to.instance !== undefined) throw new UsageError(`${dst} is not an address (expected KIND.NAME[MACHINE])`);
  if (!recordAt(state, src)) throw new UsageError(`${src} is not in the state (see mfile state list)`);
  if (from.kind !== to.kind) throw new UsageError(`cannot move ${src} to ${dst}: a ${from.kind} cannot become a ${to.kind}`);
  if (recordAt(state, dst)) throw new UsageError(`cannot move ${src} to ${dst}: ${dst} is already in the state (remove it first with mfile state rm ${dst})`);
  if (from.kind !== 'container') {
    throw new UsageError(
      `cannot move ${src}: only containers move; a ${from.kind} is known ${from.kind === 'machine' ? 'to its objects\' labels and its key folder' : 'to the engine and to the containers using it'} by its name`,
    );
  }
  if (from.machine !== to.machine) throw new UsageError(`cannot move ${src} to ${dst}: the container runs on ${from.machine}, not on ${to.machine}`);
  if (src === dst) throw new UsageError(`${src} and ${dst} are the same address`);
  const rec = state.objects[src];
  if (!rec.id) throw new UsageError(`cannot move ${src}: its record holds no container id to find it by`);
  delete state.objects[src];
  const moved: ObjectRecord = { ...rec, address: dst, name: to.name, updatedAt: new Date().toISOString() };
  state.objects[dst] = moved;
  return moved;
}
