// Container nodes: where each container runs, and whether it is created, kept, replaced, started or stopped.
import {
  containerEngineName,
  isPreviousVersion,
  type ContainerSpec,
  type NetworkSpec,
  type ObjectRecord,
  type ObservedContainer,
  type VolumeSpec,
} from '../model/index.js';
import { containerAttributes } from './attributes.js';
import { canonicalEntries, joinCanonical } from './canonical.js';
import { changeReason, diffAttributes } from './diff.js';
import { containerHashOfJson } from './hash.js';
import { normaliseImageRef, shortId } from './image-ref.js';
import { LABEL_CONFIG_HASH, objectAddress } from './names.js';
import { containerDeps } from './container-waits.js';
import { runState } from './container-run-state.js';
import {
  REPLACE_REQUESTED,
  byString,
  sortedKeys,
  taintReason,
  type PlanContext,
  type MachineView,
} from './plan-context.js';

export function indexContainers(ctx: PlanContext): void {
  for (const name of sortedKeys(ctx.desired.containers)) {
    const spec = ctx.desired.containers[name];
    ctx.placement.set(name, [...spec.machines].sort(byString));
    for (const m of new Set(spec.machines)) {
      if (!ctx.desired.machines[m]) {
        ctx.warnings.push(`container ${name}: machine ${m} is not declared; skipped there`);
        continue;
      }
      const list = ctx.specsByMachine.get(m);
      if (list) list.push(spec);
      else ctx.specsByMachine.set(m, [spec]);
    }
    for (const dep of containerDeps(spec)) {
      const list = ctx.dependents.get(dep);
      if (list) list.push(name);
      else ctx.dependents.set(dep, [name]);
    }
  }
}

export function planContainer(ctx: PlanContext, view: MachineView, spec: ContainerSpec, networks: Map<string, NetworkSpec>, volumes: Map<string, VolumeSpec>): void {
  const m = view.name;
  const address = objectAddress('container', spec.name, m);
  const attributes = containerAttributes(spec);
  const entries = canonicalEntries(attributes);
  const json = joinCanonical(entries);
  const hash = containerHashOfJson(json, ctx.project, ctx.digests);
  const after = ctx.maskedContainer(attributes, json, entries);
  const rec = view.records.container.get(spec.name);
  const uses: string[] = [objectAddress('image', ctx.imageName(spec.image), m)];
  for (const n of Object.keys(spec.networks)) if (!networks.get(n)?.external) uses.push(objectAddress('network', n, m));
  for (const v of spec.volumes) {
    if (v.type === 'volume' && v.source && !volumes.get(v.source)?.external) uses.push(objectAddress('volume', v.source, m));
  }
  ctx.containerInfo.set(address, { spec, uses });
  const base = { address, kind: 'container' as const, machine: m, name: spec.name, after, dependsOn: [] as string[], configHash: hash };
  const before = rec?.attributes ?? null;

  if (view.mode === 'fresh') {
    ctx.add({ ...base, action: 'create', reasons: [view.freshReason], before: null });
    return;
  }

  if (view.mode === 'state') {
    // Unseen, the engine may hold a leftover of an interrupted run: the step removes it (see settleLeftovers).
    const unseen = (): typeof base & { settleLeftovers: true } => ({ ...base, settleLeftovers: true as const });
    if (!rec) return void ctx.add({ ...unseen(), action: 'create', reasons: ['not in state'], before: null });
    if (rec.status !== 'created') return void ctx.add({ ...unseen(), action: 'replace', reasons: [taintReason(rec)], before, existingId: rec.id });
    if (ctx.replace.has(address)) return void ctx.add({ ...unseen(), action: 'replace', reasons: [REPLACE_REQUESTED], before, existingId: rec.id });
    const same = rec.configHash !== undefined ? rec.configHash === hash : diffAttributes(rec.attributes, after).length === 0;
    if (same) return void ctx.add({ ...base, action: 'noop', reasons: [], before, existingId: rec.id });
    return void ctx.add({ ...unseen(), action: 'replace', reasons: changeReasons(ctx, rec, after, hash), before, existingId: rec.id });
  }

  let found = (view.found.container.get(spec.name) ?? []).map((f) => view.containers.get(f.id)!);
  // A record moved by `mfile state mv`: the container keeps the labels of its first name; its id finds it.
  if (found.length === 0 && rec?.id && view.containers.has(rec.id)) found = [view.containers.get(rec.id)!];
  if (found.length === 0) {
    const reason = rec ? 'missing on the machine (deleted outside mfile)' : 'not in state';
    return void ctx.add({ ...base, action: 'create', reasons: [reason], before: null });
  }
  // Keep the best match (one under its own name, then the recorded one, then the right config and running),
  // delete the others. A previous version an interrupted rolling step left renamed goes once one is in place.
  const previous = (c: ObservedContainer): boolean => isPreviousVersion(c.name, containerEngineName(ctx.project, spec));
  const score = (c: ObservedContainer): number =>
    (previous(c) ? 0 : 8) + (c.id === rec?.id ? 4 : 0) + (c.labels[LABEL_CONFIG_HASH] === hash ? 2 : 0) + (c.state === 'running' ? 1 : 0);
  const ranked = [...found].sort((a, b) => score(b) - score(a) || byString(a.id, b.id));
  const keep = ranked[0];
  for (const dup of ranked.slice(1)) ctx.addDuplicateDelete('container', spec.name, m, dup.id, previous(dup) ? [`the previous version ${dup.name}, left by an interrupted rolling update`] : undefined);

  const known = { ...base, before: before ?? null, existingId: keep.id };
  if (rec && rec.status !== 'created') return void ctx.add({ ...known, action: 'replace', reasons: [taintReason(rec)] });
  if (previous(keep)) {
    // Only the previous version is there (stopped, with stop-first): the update goes on, and puts it back running if it fails.
    const changed = keep.labels[LABEL_CONFIG_HASH] !== hash ? changeReasons(ctx, rec, after, hash, keep.labels[LABEL_CONFIG_HASH]) : [];
    const reasons = [`an interrupted rolling update left it as ${keep.name}${keep.state === 'running' ? '' : ', stopped'}`, ...changed];
    return void ctx.add({ ...known, action: 'replace', reasons, previousRan: true });
  }
  if (ctx.replace.has(address)) return void ctx.add({ ...known, before: before ?? after, action: 'replace', reasons: [REPLACE_REQUESTED] });
  // Imported (no labels): `mfile import` compared it with machines.yml and recorded the hash only when it matched.
  const imported = keep.labels[LABEL_CONFIG_HASH] === undefined && keep.id === rec?.id;
  if (keep.labels[LABEL_CONFIG_HASH] !== hash && !(imported && rec.configHash === hash)) {
    return void ctx.add({ ...known, action: 'replace', reasons: changeReasons(ctx, rec, after, hash, keep.labels[LABEL_CONFIG_HASH]) });
  }
  const moved = ctx.moved.get(objectAddress('image', ctx.imageName(spec.image), m));
  if (moved) return void ctx.add({ ...known, action: 'replace', reasons: [moved] });
  const imageId = view.images.get(normaliseImageRef(spec.image));
  if (imageId !== undefined && keep.imageId && keep.imageId !== imageId) {
    return void ctx.add({ ...known, action: 'replace', reasons: [`image ${spec.image} was updated: ${shortId(keep.imageId)} -> ${shortId(imageId)}`] });
  }
  const finishing = ranked.some(previous) ? ['the new version of an interrupted rolling update is in place'] : [];
  const adopted = finishing.length ? finishing : !rec || rec.id !== keep.id ? ['adopted: found on the machine by its labels'] : [];
  const run = runState(keep, spec);
  if (run.action === 'noop') return void ctx.add({ ...known, before: before ?? after, action: 'noop', reasons: adopted });
  ctx.add({ ...known, before: before ?? after, action: run.action, reasons: [...adopted, run.reason] });
}

/** Explains a config hash change from the recorded attributes. */
function changeReasons(ctx: PlanContext, rec: ObjectRecord | undefined, after: Record<string, unknown>, hash: string, liveHash?: string): string[] {
  if (rec?.importDiff?.length) return rec.importDiff.map((d) => `differs from machines.yml since import: ${d}`);
  if (!rec || Object.keys(rec.attributes).length === 0) return ['config hash changed'];
  const changes = diffAttributes(rec.attributes, after);
  if (changes.length > 0) return changes.map(changeReason);
  if (rec.configHash === hash && liveHash !== undefined) return ['config hash changed on the machine (changed outside mfile)'];
  return [ctx.sensitive.length > 0 ? 'a sensitive value changed' : 'config hash changed'];
}
