// Image nodes on a machine: pull, build or push per the strongest pull policy among the containers that use it.
import {
  type ContainerSpec,
  type ImageStepData,
  type PullPolicy,
  pullIntervalSeconds,
  registryOf,
} from '../model/index.js';
import { prune } from './attributes.js';
import { normaliseImageRef, shortId } from './image-ref.js';
import { isMaskedImageName } from './image-name.js';
import { decideImage } from './image-decision.js';
import { pushBuilders, pushReasons } from './image-push.js';
import { objectAddress } from './names.js';
import { sortedKeys, type PlanContext, type MachineView } from './plan-context.js';

/** The strongest pull policy wins when containers on one machine share an image (time-based: the shortest interval). */
const PULL_RANK: Record<PullPolicy, number> = { never: 0, missing: 1, always: 3, build: 4 };
export const pullRank = (p: ContainerSpec['pull_policy']): number => {
  const s = pullIntervalSeconds(p);
  return s === undefined ? PULL_RANK[p as PullPolicy] : 2 + 1 / (1 + s);
};

export function planImage(ctx: PlanContext, view: MachineView, ref: string, spec: ContainerSpec): void {
  const m = view.name;
  const policy = spec.pull_policy;
  const name = ctx.imageName(ref);
  const address = objectAddress('image', name, m);
  const registry = registryOf(ref, ctx.desired.registries);
  // build.push: the first machine builds and pushes, the others pull from the registry.
  const builderMachine = (ctx.builders ??= pushBuilders(ctx.desired)).get(ref);
  const pushes = builderMachine !== undefined && registry !== undefined;
  const builds = (policy === 'build' || (policy === 'missing' && spec.build !== undefined)) && (!pushes || builderMachine === m);
  const built = builds ? spec.build : undefined;
  const after = ctx.maskedAttributes(prune({ ref, pull_policy: policy, build: built, registry: registry?.name }) as Record<string, unknown>);
  const id = imagePresent(ctx, view, ref, name);
  const shown = ctx.masker.value(ref);
  const before = id === undefined ? null : id === '' ? { ref: shown } : { ref: shown, id: shortId(id) };
  const rec = view.records.image.get(name);
  const d = decideImage({
    address,
    ref,
    // Where another machine builds it, pull_policy build means: pull what it pushed.
    policy: pushes && !builds && policy === 'build' ? (id === undefined ? 'missing' : 'always') : policy,
    present: before !== null,
    registry,
    refreshed: ctx.observed.refreshed,
    tag: view.tags?.[ref],
    localDigest: localDigest(view, ref, id) ?? (typeof rec?.attributes.digest === 'string' ? rec.attributes.digest : undefined),
    lastPull: typeof rec?.attributes.pulled_at === 'string' ? rec.attributes.pulled_at : undefined,
    now: ctx.observed.at,
    builds,
  });
  ctx.warnings.push(...d.warnings);
  if (d.moved) ctx.moved.set(address, d.moved);
  const image = imageStep(ctx, m, ref, name, d.pullPolicy, builds);
  if (registry) image.registry = registry.name;
  if (d.digest) image.digest = d.digest;
  let reasons = d.reasons;
  if (pushes) {
    const entry = ctx.pushed.get(ref) ?? { pullers: [] };
    ctx.pushed.set(ref, entry);
    if (builds) {
      image.push = true;
      entry.builder = address;
    } else entry.pullers.push(address);
    reasons = pushReasons(reasons, d.action, builds, registry, objectAddress('image', name, builderMachine));
  }
  ctx.add({ address, kind: 'image', machine: m, name, before, after, dependsOn: [], image, action: d.action, reasons });
}

/** The registry digest the machine's image carries for the reference's name (live mode). */
function localDigest(view: MachineView, ref: string, id: string | undefined): string | undefined {
  if (!id) return undefined;
  const at = ref.lastIndexOf('@');
  const colon = ref.lastIndexOf(':');
  const repo = at >= 0 ? ref.slice(0, at) : colon > ref.lastIndexOf('/') ? ref.slice(0, colon) : ref;
  const entry = (view.repoDigests.get(id) ?? []).find((d) => d.startsWith(`${repo}@`));
  return entry?.slice(repo.length + 1);
}

/**
 * What the image step acts on. The reference is named only when it holds no sensitive value; else the node
 * names the container whose `image` it is (the plan never holds a secret).
 */
function imageStep(ctx: PlanContext, machine: string, ref: string, name: string, policy: PullPolicy, builds = true): ImageStepData {
  const users = (ctx.specsByMachine.get(machine) ?? []).filter((c) => c.image === ref);
  const data: ImageStepData = { pullPolicy: policy };
  if (name === ref) data.ref = ref;
  else data.refFrom = users[0]?.name;
  // pull_policy build builds from the strongest user; missing with a build section builds what is missing.
  const builder = users.find((c) => c.pull_policy === 'build') ?? (policy === 'missing' ? users.find((c) => c.build) : undefined);
  if (builds && builder && (policy === 'build' || policy === 'missing')) data.buildFrom = builder.name;
  return data;
}

/** The reference of a recorded image to remove: its name, or for a stand-in the declared image it stands for, else its id. */
export function imageToRemove(ctx: PlanContext, machine: string, name: string, id: string | undefined): ImageStepData {
  if (!isMaskedImageName(name)) return { ref: name };
  const user = sortedKeys(ctx.desired.containers)
    .map((c) => ctx.desired.containers[c])
    .find((c) => c.machines.includes(machine) && ctx.imageName(c.image) === name);
  if (user) return { refFrom: user.name };
  return id !== undefined ? { ref: id } : {};
}

/** The image id on the machine ('' when present but the id is unknown), undefined when absent. */
function imagePresent(ctx: PlanContext, view: MachineView, ref: string, name: string): string | undefined {
  if (view.mode === 'fresh') return undefined;
  if (view.mode === 'live') return view.images.get(normaliseImageRef(ref));
  const rec = view.records.image.get(name);
  if (rec?.status === 'created') return rec.id ?? '';
  // Without a refresh, an image a created container uses is on the machine.
  for (const c of view.records.container.values()) if (c.status === 'created' && c.attributes.image === ref) return '';
  return undefined;
}
