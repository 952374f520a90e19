// Engine operations on one container, used by the container step: create (with networks and secrets), start,
// stop-and-remove, adopt a leftover of an interrupted run.
import { readFile } from 'node:fs/promises';
import type Docker from 'dockerode';
import type { ContainerSpec } from '../../model/index.js';
import { LABEL_CONFIG_HASH, LABEL_PROJECT } from '../../model/labels.js';
import { containerCreateOptions } from '../../remote/docker/container-config.js';
import { isConflict, isNotFound, isNotModified } from '../../remote/docker/errors.js';
import { tarOf } from '../../remote/docker/tar.js';
import type { StepContext } from '../types.js';
import { callSignal, mappingContext, plannedHash } from './common.js';

export const hasHealthcheck = (s: ContainerSpec): boolean => !!s.healthcheck && !s.healthcheck.disable && s.healthcheck.test[0] !== 'NONE';

/** The container's stop_grace_period in whole seconds, for stop(). */
export const stopSeconds = (s: ContainerSpec | undefined): number | undefined =>
  s?.stop_grace_period !== undefined ? Math.ceil(s.stop_grace_period / 1e9) : undefined;

export async function inspectOrNull(docker: Docker, idOrName: string): Promise<Docker.ContainerInspectInfo | null> {
  try {
    return await docker.getContainer(idOrName).inspect(callSignal(30_000));
  } catch (err) {
    if (isNotFound(err)) return null;
    throw err;
  }
}

async function copySecrets(ctx: StepContext, container: Docker.Container, spec: ContainerSpec): Promise<void> {
  if (!spec.secrets.length) return;
  const entries = await Promise.all(
    spec.secrets.map(async (s) => {
      const def = ctx.desired.secrets[s.source];
      if (!def) throw new Error(`secret ${s.source} is not declared under secrets`);
      return { path: s.target.replace(/^\/+/, ''), content: await readFile(def.file), mode: s.mode };
    }),
  );
  await container.putArchive(tarOf(entries), { path: '/', ...callSignal() });
}

/** Creates the container under `name` with every network attached and secrets copied in; does not start it. */
export async function createContainer(ctx: StepContext, docker: Docker, spec: ContainerSpec, name: string): Promise<string> {
  const { options, extraNetworks } = containerCreateOptions(spec, mappingContext(ctx.desired, ctx.node, spec, name));
  const container = await docker.createContainer({ ...options, ...callSignal() }).catch((err: unknown) => {
    if (isNotFound(err) && /no such image/i.test(String((err as Error).message))) {
      const never = spec.pull_policy === 'never' ? ' and pull_policy is never' : '';
      throw new Error(`image ${spec.image} is not on machine ${ctx.node.machine}${never}`);
    }
    throw err;
  });
  try {
    for (const n of extraNetworks) {
      await docker.getNetwork(n.network).connect({ Container: container.id, EndpointConfig: n.config, ...callSignal() });
    }
    await copySecrets(ctx, container, spec);
  } catch (err) {
    await container.remove({ force: true, v: true }).catch(() => undefined);
    throw err;
  }
  return container.id;
}

export async function startContainer(docker: Docker, id: string): Promise<void> {
  try {
    await docker.getContainer(id).start(callSignal());
  } catch (err) {
    if (!isNotModified(err)) throw err; // already running
  }
}

/** Stops gracefully (the container's own stop timeout) and removes it with its anonymous volumes. */
export async function removeContainer(docker: Docker, id: string, stopSeconds?: number): Promise<void> {
  const c = docker.getContainer(id);
  try {
    await c.stop({ ...(stopSeconds !== undefined ? { t: stopSeconds } : {}), ...callSignal() });
  } catch (err) {
    if (isNotFound(err)) return;
    if (!isNotModified(err)) throw err;
  }
  try {
    await c.remove({ force: true, v: true, ...callSignal() });
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}

/**
 * Creates `name`, or reuses a container of that name that an interrupted run left: ours with the same config
 * hash is adopted, anything of ours that differs is removed first, a foreign one is an error.
 */
export async function createOrAdopt(ctx: StepContext, docker: Docker, spec: ContainerSpec, name: string): Promise<string> {
  try {
    return await createContainer(ctx, docker, spec, name);
  } catch (err) {
    if (!isConflict(err)) throw err;
    const found = await inspectOrNull(docker, name);
    if (!found) throw err;
    const labels = found.Config.Labels ?? {};
    if (labels[LABEL_PROJECT] !== ctx.desired.project) throw new Error(`container ${name} exists and is not managed by mfile project ${ctx.desired.project}`);
    if (labels[LABEL_CONFIG_HASH] === plannedHash(ctx.node)) return found.Id;
    await removeContainer(docker, found.Id, 1);
    return createContainer(ctx, docker, spec, name);
  }
}
