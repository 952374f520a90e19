// Networks and volumes on a machine: created when absent, never recreated under running containers.
import type { NetworkSpec, VolumeSpec } from '../model/index.js';
import { networkAttributes, volumeAttributes } from './attributes.js';
import { changeReason, diffAttributes } from './diff.js';
import { networkConfigHash, volumeConfigHash } from './hash.js';
import { LABEL_CONFIG_HASH, objectAddress } from './names.js';
import { byString, type PlanContext, type MachineView } from './plan-context.js';

/** Masked attributes and config hash of a network or volume: the same on every machine, so computed once. */
export function sharedSpec(ctx: PlanContext, kind: 'network' | 'volume', spec: NetworkSpec | VolumeSpec): { after: Record<string, unknown>; hash: string } {
  const key = `${kind}.${spec.name}`;
  let cached = ctx.sharedCache.get(key);
  if (!cached) {
    const attrs = kind === 'network' ? networkAttributes(spec as NetworkSpec) : volumeAttributes(spec as VolumeSpec);
    const hash = kind === 'network' ? networkConfigHash(spec as NetworkSpec, ctx.project, ctx.digests) : volumeConfigHash(spec as VolumeSpec, ctx.project, ctx.digests);
    ctx.sharedCache.set(key, (cached = { after: ctx.maskedAttributes(attrs), hash }));
  }
  return cached;
}

/** Networks and volumes: created when absent; a changed config is reported, never recreated under running containers. */
export function planSharedObject(ctx: PlanContext, view: MachineView, kind: 'network' | 'volume', name: string, shared: { after: Record<string, unknown>; hash: string }): void {
  const m = view.name;
  const address = objectAddress(kind, name, m);
  const { after, hash } = shared;
  const rec = view.records[kind].get(name);
  const base = { address, kind, machine: m, name, after, dependsOn: [] as string[], configHash: hash };
  if (view.mode === 'fresh') {
    ctx.add({ ...base, action: 'create', reasons: [view.freshReason], before: null });
    return;
  }
  let existingHash: string | undefined;
  let existingId: string | undefined;
  let adopted = false;
  if (view.mode === 'state') {
    if (!rec || rec.status !== 'created') {
      ctx.add({ ...base, action: 'create', reasons: [rec ? `${rec.status}: a previous create did not finish` : 'not in state'], before: null });
      return;
    }
    existingHash = rec.configHash;
    existingId = rec.id;
  } else {
    const found = [...(view.found[kind].get(name) ?? [])].sort((a, b) => byString(a.id, b.id));
    if (found.length === 0) {
      ctx.add({ ...base, action: 'create', reasons: [rec ? 'missing on the machine (deleted outside mfile)' : 'not in state'], before: null });
      return;
    }
    const keep = found.find((f) => f.id === rec?.id) ?? found[0];
    for (const dup of found) if (dup !== keep) ctx.addDuplicateDelete(kind, name, m, dup.id);
    // Imported (no labels): the record's hash says whether it matched machines.yml when it was adopted.
    existingHash = keep.labels[LABEL_CONFIG_HASH] ?? (keep.id === rec?.id ? rec.configHash : undefined);
    existingId = keep.id;
    adopted = !rec || rec.id !== keep.id;
  }
  const before = rec?.attributes ?? null;
  if (existingHash !== undefined && existingHash !== hash) {
    const changes = before ? diffAttributes(before, after).map(changeReason) : [];
    ctx.warnings.push(
      `${address} differs from machines.yml${changes.length ? ` (${changes.join('; ')})` : ''}; ` +
        `mfile does not recreate a ${kind} in use: run "mfile destroy --target ${address}", then apply`,
    );
  }
  ctx.add({ ...base, action: 'noop', reasons: adopted ? ['adopted: found on the machine by its labels'] : [], before: before ?? after, existingId });
}

/** A network a container names without declaring it (e.g. Compose's `default`): a plain bridge. */
export function implicitNetwork(name: string): NetworkSpec {
  return { name, driver: 'bridge', driverOpts: {}, internal: false, attachable: false, enableIpv6: false, enableIpv4: true, labels: {}, external: false };
}

export function implicitVolume(name: string): VolumeSpec {
  return { name, driver: 'local', driverOpts: {}, labels: {}, external: false };
}
