// `plan --refresh-only` / `apply --refresh-only`: what changed on the machines outside mfile, as changes to the
// state's records only. Pure: (prior state, what refresh observed, the plan made from it) -> drift; applying the
// drift to a state is pure too. Nothing here decides an action on a machine.
import type { ObjectKind, ObjectRecord, Observed, ObservedMachine, Plan, PlanNode, State } from '../model/index.js';
import { SENSITIVE_IMAGE_NAME_RE, traitsOf, type DriverCatalog } from '../model/index.js';
import { imageIndex, normaliseImageRef, shortId } from './image-ref.js';
import { LABEL_CONFIG_HASH, LABEL_MACHINE, LABEL_NAME, LABEL_PROJECT, machineAddress, objectAddress } from './names.js';

/** forget: the record goes; record: a new record; update: the record changes; note: drift the state has no field for. */
export type DriftChange = 'forget' | 'record' | 'update' | 'note';

export interface DriftEntry {
  address: string;
  change: DriftChange;
  reasons: string[];
  /** The record as the state holds it (null for record). */
  before: ObjectRecord | null;
  /** The record after the refresh (null for forget and note). Machine forgets carry none. */
  after: ObjectRecord | null;
}

export interface Drift {
  entries: DriftEntry[];
  warnings: string[];
}

interface Labelled {
  id: string;
  name: string;
  hash?: string;
}

const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const LABELLED_KINDS = ['container', 'network', 'volume'] as const;

function labelled(obs: ObservedMachine, project: string, kind: (typeof LABELLED_KINDS)[number]): Labelled[] {
  const items = kind === 'container' ? obs.containers : kind === 'network' ? obs.networks : obs.volumes.map((v) => ({ id: v.name, labels: v.labels }));
  const out: Labelled[] = [];
  for (const o of items) {
    const l = o.labels ?? {};
    if (l[LABEL_PROJECT] !== project || l[LABEL_MACHINE] !== obs.name || !l[LABEL_NAME]) continue;
    out.push({ id: o.id, name: l[LABEL_NAME], hash: l[LABEL_CONFIG_HASH] });
  }
  return out.sort((a, b) => byString(a.id, b.id));
}

export function refreshOnlyDrift(prior: State, observed: Observed, plan: Plan, drivers: DriverCatalog, now: string): Drift {
  const entries: DriftEntry[] = [];
  const warnings: string[] = [];
  const nodes = new Map(plan.nodes.map((n) => [n.address, n]));
  const records = Object.values(prior.objects).filter((r) => r.status === 'created');
  for (const m of Object.keys(observed.machines).sort(byString)) {
    const obs = observed.machines[m];
    const rec = prior.machines[m];
    const onMachine = records.filter((r) => r.machine === m);
    if (obs.status === 'missing' && rec?.status === 'created' && !traitsOf(drivers, rec.driver).recordOnly) {
      entries.push({ address: machineAddress(m), change: 'forget', reasons: ['the host is gone (deleted outside mfile)'], before: null, after: null });
      for (const r of onMachine) entries.push({ address: r.address, change: 'forget', reasons: [`gone with machine ${m}`], before: r, after: null });
      continue;
    }
    if (obs.status === 'stopped' && rec) entries.push({ address: machineAddress(m), change: 'note', reasons: ['stopped outside mfile'], before: null, after: null });
    if (obs.status === 'error' || obs.status === 'unknown') warnings.push(`machine ${m} was not refreshed (${obs.error ?? obs.status}); its records are kept as they are`);
    if (obs.status !== 'running') continue;
    for (const kind of LABELLED_KINDS) entries.push(...labelledDrift(kind, labelled(obs, plan.project, kind), onMachine.filter((r) => r.kind === kind), m, nodes, now));
    for (const c of obs.containers) {
      const r = onMachine.find((x) => x.kind === 'container' && x.id === c.id);
      // Only what the plan would repair (a one-shot container that finished is where it should be).
      if (r && nodes.get(r.address)?.action !== 'noop' && (c.state === 'exited' || c.state === 'paused' || c.state === 'dead')) {
        const why = c.state === 'exited' ? `exited${c.exitCode !== undefined ? ` ${c.exitCode}` : ''}` : c.state;
        entries.push({ address: r.address, change: 'note', reasons: [`${why} outside mfile`], before: null, after: null });
      }
    }
    const images = imageIndex(obs.images);
    for (const r of onMachine.filter((x) => x.kind === 'image' && !SENSITIVE_IMAGE_NAME_RE.test(x.name))) {
      const id = images.get(normaliseImageRef(r.name));
      if (id === undefined) entries.push({ address: r.address, change: 'forget', reasons: ['not on the machine (removed outside mfile)'], before: r, after: null });
      else if (r.id !== undefined && r.id !== id) entries.push({ address: r.address, change: 'update', reasons: [`image id changed outside mfile: ${shortId(r.id)} -> ${shortId(id)}`], before: r, after: { ...r, id, updatedAt: now } });
    }
  }
  entries.sort((a, b) => byString(a.address, b.address) || byString(a.change, b.change));
  return { entries, warnings };
}

function labelledDrift(kind: ObjectKind, found: Labelled[], recs: ObjectRecord[], m: string, nodes: Map<string, PlanNode>, now: string): DriftEntry[] {
  const out: DriftEntry[] = [];
  const claimed = new Set<string>();
  for (const r of recs) {
    // By id first (a record moved by `mfile state mv` keeps the labels of its first name), then by name.
    const same = found.find((f) => f.id === r.id) ?? found.find((f) => f.name === r.name && !recs.some((o) => o.id === f.id));
    if (!same) {
      out.push({ address: r.address, change: 'forget', reasons: ['not on the machine (deleted outside mfile)'], before: r, after: null });
      continue;
    }
    claimed.add(same.id);
    const reasons: string[] = [];
    if (same.id !== r.id) reasons.push(`recreated outside mfile: id ${shortId(r.id ?? '')} -> ${shortId(same.id)}`);
    if (same.hash !== undefined && r.configHash !== undefined && same.hash !== r.configHash) reasons.push('config hash on the machine differs from the state (changed outside mfile)');
    if (reasons.length) out.push({ address: r.address, change: 'update', reasons, before: r, after: { ...r, id: same.id, ...(same.hash ? { configHash: same.hash } : {}), updatedAt: now } });
  }
  const recorded = new Set(recs.map((r) => r.name));
  for (const f of found) {
    if (claimed.has(f.id) || recorded.has(f.name)) continue;
    claimed.add(f.id);
    recorded.add(f.name); // a second one of the same name is a duplicate the next plan removes
    const address = objectAddress(kind as 'container', f.name, m);
    const node = nodes.get(address);
    // The plan's attributes describe it only when the plan keeps it as it is.
    const attributes = node && node.action === 'noop' && node.existingId === f.id ? (node.after ?? {}) : {};
    const after: ObjectRecord = { address, kind, machine: m, name: f.name, id: f.id, ...(f.hash ? { configHash: f.hash } : {}), status: 'created', attributes, updatedAt: now };
    out.push({ address, change: 'record', reasons: ['found on the machine by its labels; not in the state'], before: null, after });
  }
  return out;
}

export function driftHasChanges(drift: Drift): boolean {
  return drift.entries.some((e) => e.change !== 'note');
}

/** The state with the drift recorded: records forgotten, added or updated. Machines are only ever forgotten. */
export function applyDrift(state: State, drift: Drift): State {
  const next = structuredClone(state);
  for (const e of drift.entries) {
    if (e.change === 'note') continue;
    if (e.address.startsWith('machine.')) {
      if (e.change === 'forget') delete next.machines[e.address.slice('machine.'.length)];
      continue;
    }
    if (e.change === 'forget') delete next.objects[e.address];
    else if (e.after) next.objects[e.address] = e.after;
  }
  return next;
}
