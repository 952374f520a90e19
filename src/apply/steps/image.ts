// Image ensure: pull_policy always -> pull; missing -> keep the machine's copy, else copy it from the local
// engine (save | load, streamed), else pull; never -> fail when absent; build -> build the context on the machine.
// Only an image this step put on the machine is recorded, so only such an image is removed by a destroy.
import { spawn } from 'node:child_process';
import { Readable } from 'node:stream';
import { resolve, dirname } from 'node:path';
import type Docker from 'dockerode';
import type { ContainerSpec, ImageStepData, RegistrySpec } from '../../model/index.js';
import { authConfig, registryFailure } from '../../remote/docker/registry.js';
import { engineInfo, localImageId } from '../../remote/docker/client.js';
import { followStream, type StreamEvent } from '../../remote/docker/progress-stream.js';
import { isConflict, isNotFound } from '../../remote/docker/errors.js';
import type { NodeOutcome, StepContext, StepHandler } from '../types.js';
import { callSignal } from './common.js';

/** What the plan settled for this image: reference, pull policy, build source. */
function planned(ctx: StepContext): ImageStepData {
  if (!ctx.node.image) throw new Error(`${ctx.node.address}: the plan gives no image step data for it; make a new plan`);
  return ctx.node.image;
}

/** A container of machines.yml the plan names (its image reference or its build section). */
function declared(ctx: StepContext, name: string): ContainerSpec {
  const spec = ctx.desired.containers[name];
  if (!spec) throw new Error(`${ctx.node.address}: container ${name} is not in machines.yml; make a new plan`);
  return spec;
}

/**
 * The reference to act on: the plan's, or, when it holds a sensitive value, the image of the container the plan
 * names (the plan never holds the secret). Undefined: a sensitive reference no longer declared, without an id.
 */
function refOf(ctx: StepContext): string | undefined {
  const data = planned(ctx);
  return data.ref ?? (data.refFrom !== undefined ? declared(ctx, data.refFrom).image : undefined);
}

const imageId = (docker: Docker, ref: string): Promise<string | undefined> => localImageId(docker, ref, callSignal(30_000).abortSignal);

const engineIds = new WeakMap<Docker, Promise<string>>();
/**
 * Which engine this is. The engine ID alone is not enough: it comes from /etc/docker/key.json, so two daemons on
 * one host share it; the data root and host name tell them apart, and match when two URLs reach one daemon.
 */
function engineId(docker: Docker): Promise<string> {
  let p = engineIds.get(docker);
  if (!p) engineIds.set(docker, (p = engineInfo(docker, AbortSignal.timeout(30_000)).then((i) => `${i.ID}|${i.DockerRootDir}|${i.Name}`)));
  return p;
}

/** The declared registry the plan names for this image (its credentials go with pulls and pushes). */
function registryOfNode(ctx: StepContext): RegistrySpec | undefined {
  const name = planned(ctx).registry;
  if (name === undefined) return undefined;
  const r = ctx.desired.registries?.[name];
  if (!r) throw new Error(`${ctx.node.address}: registry ${name} is not in machines.yml; make a new plan`);
  return r;
}

/** Runs a registry call; its failure becomes one line naming the registry, the image and the machine. */
async function atRegistry<T>(ctx: StepContext, ref: string, doing: string, call: () => Promise<T>): Promise<T> {
  const registry = registryOfNode(ctx);
  try {
    return await call();
  } catch (err) {
    if (!registry || (err as Error).name === 'AbortError') throw err;
    const provisioned = ctx.desired.machines[ctx.node.machine]?.traits.provisioned ?? false;
    throw new Error(registryFailure(err, { registry, ref, machine: ctx.node.machine, provisioned, doing }));
  }
}

async function pull(ctx: StepContext, docker: Docker, ref: string): Promise<void> {
  const registry = registryOfNode(ctx);
  ctx.progress(`pulling ${ref}${registry ? ` from registry ${registry.name}` : ''}`, 'pull');
  const auth = authConfig(registry);
  await atRegistry(ctx, ref, 'pull', async () => {
    const stream = await docker.pull(ref, { abortSignal: ctx.signal, ...(auth ? { authconfig: auth } : {}) });
    await followPull(ctx, docker, stream);
  });
}

async function push(ctx: StepContext, docker: Docker, ref: string): Promise<void> {
  const registry = registryOfNode(ctx);
  if (!registry) throw new Error(`${ctx.node.address}: the plan says push and names no registry; make a new plan`);
  ctx.progress(`pushing ${ref} to registry ${registry.name}`, 'push');
  const auth = authConfig(registry);
  await atRegistry(ctx, ref, 'push', async () => {
    const stream = (await docker.getImage(ref).push({ abortSignal: ctx.signal, ...(auth ? { authconfig: auth } : {}) } as object)) as NodeJS.ReadableStream;
    await followPull(ctx, docker, stream);
  });
}

/** Pull and push streams: per-layer progress lines; an `error` event rejects (followStream). */
async function followPull(ctx: StepContext, docker: Docker, stream: NodeJS.ReadableStream): Promise<void> {
  const last = new Map<string, number>();
  await followStream(
    docker,
    stream,
    (e: StreamEvent) => {
      if (!e.id || !e.status) return;
      const now = Date.now();
      // Per-layer progress, at most a few lines a second per layer.
      if (e.status === 'Downloading' && now - (last.get(e.id) ?? 0) < 500) return;
      last.set(e.id, now);
      const d = e.progressDetail;
      const pct = d?.total ? ` ${Math.round(((d.current ?? 0) / d.total) * 100)}%` : '';
      ctx.progress(`${e.id}: ${e.status}${pct}`, `pull/${e.id}`);
    },
    ctx.signal,
  );
}

async function copyFromLocal(ctx: StepContext, local: Docker, docker: Docker, ref: string): Promise<void> {
  ctx.progress(`copying ${ref} from the local engine (save | load)`, 'load');
  const saved = (await local.getImage(ref).get()) as NodeJS.ReadableStream;
  const res = (await docker.loadImage(saved, { quiet: true, abortSignal: ctx.signal })) as NodeJS.ReadableStream;
  await followStream(docker, res, undefined, ctx.signal);
}

async function build(ctx: StepContext, docker: Docker, spec: ContainerSpec): Promise<void> {
  const b = spec.build!;
  const remote = /^[a-z]+:\/\/|^git@/.test(b.context);
  const context = remote ? b.context : resolve(dirname(ctx.desired.configPath), b.context);
  ctx.progress(`building ${spec.image} from ${b.context}`, 'build');
  const options = {
    t: spec.image,
    ...(b.dockerfile ? { dockerfile: b.dockerfile } : {}),
    ...(Object.keys(b.args).length ? { buildargs: b.args } : {}),
    ...(b.target ? { target: b.target } : {}),
    ...(remote ? { remote: context } : {}),
    abortSignal: ctx.signal,
  };
  if (remote) {
    // The engine fetches a remote context itself; the body is an empty archive.
    const stream = await docker.buildImage(Readable.from([Buffer.alloc(1024)]), options);
    await followStream(docker, stream, (e) => e.stream?.trim() && ctx.progress(e.stream.trim().split('\n').pop()!, 'build'), ctx.signal);
    return;
  }
  // tar from the system's tar: streams the context without a temp file or another npm package.
  const tar = spawn('tar', ['-C', context, '-cf', '-', '.'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  tar.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const tarDone = new Promise<void>((res, rej) =>
    tar.on('close', (code) => (code === 0 ? res() : rej(new Error(`tar of build context ${context} failed: ${stderr.trim().split('\n').pop()}`)))),
  );
  const stream = await docker.buildImage(tar.stdout, options);
  await followStream(docker, stream, (e) => e.stream?.trim() && ctx.progress(e.stream.trim().split('\n').pop()!, 'build'), ctx.signal);
  await tarDone;
}

/** The registry digest the machine's image carries for the reference's repository, if any. */
async function repoDigest(docker: Docker, ref: string): Promise<string | undefined> {
  const at = ref.lastIndexOf('@');
  const colon = ref.lastIndexOf(':');
  const repo = at >= 0 ? ref.slice(0, at) : colon > ref.lastIndexOf('/') ? ref.slice(0, colon) : ref;
  const info = await docker.getImage(ref).inspect(callSignal(30_000) as Docker.ImageInspectOptions);
  const entry = (info.RepoDigests ?? []).find((d) => d.startsWith(`${repo}@`));
  return entry?.slice(repo.length + 1);
}

async function ensure(ctx: StepContext): Promise<NodeOutcome> {
  const outcome = await obtain(ctx);
  const data = planned(ctx);
  const ref = refOf(ctx) ?? ctx.node.name;
  const docker = await ctx.conns.docker(ctx.node.machine);
  if (data.push) {
    await push(ctx, docker, ref);
    outcome.text = `${outcome.text}, pushed`;
  }
  // An image that was there already is not recorded (see obtain): nothing to add to.
  if (!outcome.record) return outcome;
  // The state records what runs on the machine: the registry's digest for the tag, and when it was fetched.
  const digest = data.registry !== undefined ? ((await repoDigest(docker, ref)) ?? data.digest) : undefined;
  const prior = ctx.state.objects[ctx.node.address]?.attributes ?? {};
  const attributes = {
    ...(ctx.node.after ?? {}),
    ...(digest ? { digest } : {}),
    ...(outcome.text !== 'present' ? { pulled_at: new Date().toISOString() } : typeof prior.pulled_at === 'string' ? { pulled_at: prior.pulled_at } : {}),
  };
  return { ...outcome, record: { ...outcome.record, attributes } };
}

async function obtain(ctx: StepContext): Promise<NodeOutcome> {
  const ref = refOf(ctx) ?? ctx.node.name;
  const docker = await ctx.conns.docker(ctx.node.machine);
  const { pullPolicy: policy, buildFrom } = planned(ctx);
  if (!policy) throw new Error(`${ctx.node.address}: the plan gives no pull policy for it; make a new plan`);
  const buildable = buildFrom !== undefined ? declared(ctx, buildFrom) : undefined;
  let text = 'present';
  if (policy === 'build') {
    if (!buildable) throw new Error(`${ctx.node.address}: pull_policy is build and the plan names no container to build it from`);
    await build(ctx, docker, buildable);
    text = 'built';
  } else if (policy === 'always') {
    await pull(ctx, docker, ref);
    text = 'pulled';
  } else if (!(await imageId(docker, ref))) {
    if (policy === 'never') throw new Error(`image ${ref} is not on machine ${ctx.node.machine} and pull_policy is never`);
    const local = ctx.conns.local();
    const localHas = await imageId(local, ref).catch(() => undefined);
    const same = localHas ? await Promise.all([engineId(local), engineId(docker)]).then(([a, b]) => a === b).catch(() => false) : false;
    if (buildable) {
      // Compose's rule: with a build section and pull_policy missing, build what is missing.
      await build(ctx, docker, buildable);
      text = 'built';
    } else if (localHas && !same) {
      await copyFromLocal(ctx, local, docker, ref);
      text = 'copied from the local engine';
    } else {
      await pull(ctx, docker, ref);
      text = 'pulled';
    }
  }
  const id = await imageId(docker, ref);
  if (!id) throw new Error(`image ${ref} is still missing on ${ctx.node.machine} after ${text}`);
  // An image that was there already belongs to whoever put it there: recording it would make destroy remove it.
  if (text === 'present') return { text };
  return { record: { id }, text };
}

async function remove(ctx: StepContext): Promise<NodeOutcome> {
  const docker = await ctx.conns.docker(ctx.node.machine);
  const ref = refOf(ctx);
  if (ref === undefined) return { record: null, text: 'forgotten (its reference is sensitive and no longer declared)' };
  try {
    await docker.getImage(ref).remove(callSignal());
  } catch (err) {
    if (isNotFound(err)) return { record: null };
    // Still used by a container mfile does not manage: keep it, forget it.
    if (isConflict(err)) return { record: null, text: 'kept (in use)' };
    // Two tags of one image removed at once: the engine may fail the second with "unrecognized image ID" (500)
    // once the first took the image. What counts is that the reference is gone.
    if ((await imageId(docker, ref)) === undefined) return { record: null };
    throw err;
  }
  return { record: null };
}

export const imageStep: StepHandler = {
  run: (ctx) => (ctx.node.action === 'delete' ? remove(ctx) : ensure(ctx)),
};
