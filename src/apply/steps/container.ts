// Container create / replace / update / delete, and the depends_on gate that runs before a slot is taken.
import { randomBytes } from 'node:crypto';
import type Docker from 'dockerode';
import type { ContainerSpec } from '../../model/index.js';
import { parseAddress } from '../../model/names.js';
import { healthTimeoutMs, waitForCondition } from '../../remote/docker/wait.js';
import { StepError, type NodeOutcome, type StepContext, type StepHandler } from '../types.js';
import { callSignal, containerName, plannedHash, specOf } from './common.js';
import { createOrAdopt, createContainer, hasHealthcheck, inspectOrNull, removeContainer, startContainer, stopSeconds } from './container-ops.js';
import { removeLeftovers } from './container-leftovers.js';
import { rollingDelay, rollingReplace } from './container-rolling.js';

const DEFAULT_DEP_TIMEOUT_MS = 120_000;


/** Before an engine slot: a rolling batch's delay, then each dependency's container at its depends_on condition. */
async function gate(ctx: StepContext): Promise<void> {
  const { node, desired } = ctx;
  if (node.action === 'delete') return;
  await rollingDelay(ctx);
  const spec = desired.containers[node.name];
  if (!spec) return;
  if (node.waitFor === undefined && Object.keys(spec.depends_on).length > 0) {
    throw new Error(`${node.address}: the plan gives no machines to wait on for its depends_on; make a new plan`);
  }
  const fallback = ctx.options.dependencyTimeoutMs ?? DEFAULT_DEP_TIMEOUT_MS;
  await Promise.all(
    (node.waitFor ?? []).map(async ({ container: dep, machine }) => {
      const d = spec.depends_on[dep];
      const depSpec = desired.containers[dep];
      if (!d || !depSpec) return;
      const docker = await ctx.conns.docker(machine);
      const name = containerName(desired, dep);
      if (!d.required && !(await inspectOrNull(docker, name))) return;
      ctx.progress(`waiting for ${name} to be ${d.condition.replace('service_', '').replace(/_/g, ' ')}`);
      const timeoutMs = d.condition === 'service_healthy' ? healthTimeoutMs(depSpec.healthcheck, fallback) : fallback;
      await waitForCondition(docker, name, d.condition, { timeoutMs, signal: ctx.signal });
    }),
  );
}

async function waitHealthy(ctx: StepContext, docker: Docker, id: string, spec: ContainerSpec): Promise<void> {
  if (!hasHealthcheck(spec)) return;
  ctx.progress('waiting for the new container to be healthy');
  await waitForCondition(docker, id, 'service_healthy', {
    timeoutMs: healthTimeoutMs(spec.healthcheck, ctx.options.dependencyTimeoutMs ?? DEFAULT_DEP_TIMEOUT_MS),
    signal: ctx.signal,
  });
}

async function create(ctx: StepContext, docker: Docker, spec: ContainerSpec): Promise<NodeOutcome> {
  const id = await createOrAdopt(ctx, docker, spec, containerName(ctx.desired, spec.name));
  try {
    await startContainer(docker, id);
  } catch (err) {
    throw new StepError((err as Error).message, id);
  }
  return { record: { id, configHash: plannedHash(ctx.node) } };
}


/**
 * Replace: the new container is created under a temporary name and started; with a health check it must be
 * healthy before the old one goes. With the plan's stop-first strategy (published host ports, fixed IPs) the
 * old one is stopped first and started again if the new one fails.
 */
async function replace(ctx: StepContext, docker: Docker, spec: ContainerSpec): Promise<NodeOutcome> {
  const name = containerName(ctx.desired, spec.name);
  const old = (ctx.node.existingId && (await inspectOrNull(docker, ctx.node.existingId))) || (await inspectOrNull(docker, name));
  if (!old) return create(ctx, docker, spec);
  const temp = `${name}-mfile-${randomBytes(3).toString('hex')}`;
  const strategy = ctx.node.replaceStrategy;
  if (!strategy) throw new Error(`${ctx.node.address}: the plan gives no replace strategy for it; make a new plan`);
  const id = await createContainer(ctx, docker, spec, temp);
  let stoppedOld = false;
  try {
    if (strategy.kind === 'stop-first' && old.State.Running) {
      ctx.progress(`stopping ${name} first (${strategy.because.join(', ')})`);
      await docker.getContainer(old.Id).stop({ ...(stopSeconds(spec) !== undefined ? { t: stopSeconds(spec) } : {}), ...callSignal() }).catch(() => undefined);
      stoppedOld = true;
    }
    await startContainer(docker, id);
    await waitHealthy(ctx, docker, id, spec);
  } catch (err) {
    await removeContainer(docker, id, 0).catch(() => undefined);
    if (stoppedOld) await startContainer(docker, old.Id).catch(() => undefined);
    throw new Error(`new container did not come up, the old one was kept: ${(err as Error).message}`);
  }
  await removeContainer(docker, old.Id, stopSeconds(spec));
  await docker.getContainer(id).rename({ name, ...callSignal() });
  return { record: { id, configHash: plannedHash(ctx.node) } };
}

/** Update: the config is unchanged; bring the container back to running. */
async function update(ctx: StepContext, docker: Docker, spec: ContainerSpec): Promise<NodeOutcome> {
  const name = containerName(ctx.desired, spec.name);
  const found = (ctx.node.existingId && (await inspectOrNull(docker, ctx.node.existingId))) || (await inspectOrNull(docker, name));
  if (!found) return create(ctx, docker, spec);
  if (found.State.Paused) await docker.getContainer(found.Id).unpause(callSignal());
  else await startContainer(docker, found.Id);
  return { record: { id: found.Id, configHash: plannedHash(ctx.node) } };
}

async function remove(ctx: StepContext, docker: Docker): Promise<NodeOutcome> {
  const { node, desired, state } = ctx;
  const target = node.existingId ?? state.objects[node.address]?.id ?? containerName(desired, node.name);
  const grace = (state.objects[node.address]?.attributes.stop_grace_period as number | undefined) ?? desired.containers[node.name]?.stop_grace_period;
  await removeContainer(docker, target, grace !== undefined ? Math.ceil(grace / 1e9) : undefined);
  // A duplicate instance (address#id) is not the object's own record.
  return parseAddress(node.address)?.instance ? {} : { record: null };
}

export const containerStep: StepHandler = {
  gate,
  async run(ctx) {
    const docker = await ctx.conns.docker(ctx.node.machine);
    if (ctx.node.action === 'delete') return remove(ctx, docker);
    const spec = specOf(ctx.desired, 'containers', ctx.node.name, ctx.node.address) as ContainerSpec;
    const outcome =
      ctx.node.action === 'replace'
        ? await (ctx.node.rolling ? rollingReplace(ctx, docker, spec) : replace(ctx, docker, spec))
        : ctx.node.action === 'update'
          ? await update(ctx, docker, spec)
          : await create(ctx, docker, spec);
    const kept = outcome.record?.id;
    if (ctx.node.settleLeftovers && kept) await removeLeftovers(ctx, docker, kept);
    return outcome;
  },
};
