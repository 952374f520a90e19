// service.NAME: create, or update at the service's current version, then wait until the tasks of this spec run
// (`web 2/3 running`). An update the engine rolled back or paused is a failure named after the service.
import { LABEL_SERVICE_HASH, type SwarmState, type SwarmStepData } from '../../model/index.js';
import { mfileLabels } from '../../model/labels.js';
import { isNotFound } from '../../remote/docker/errors.js';
import { localImageId } from '../../remote/docker/client.js';
import { createService, inspectService, listNodes, listSwarmObjects, removeService, serviceTasks, updateService } from '../../remote/docker/swarm-api.js';
import { serviceEngineSpec } from '../../remote/docker/swarm-service-spec.js';
import type { NodeOutcome, StepContext, StepHandler } from '../types.js';
import { callSignal, plannedHash } from './common.js';
import { pollUntil } from './swarm-poll.js';
import type Docker from 'dockerode';

type ServiceData = Extract<SwarmStepData, { op: 'service' }>;

/** Longest wait for a service to converge; a rolling update of many replicas with delays may need more. */
export const CONVERGE_TIMEOUT_MS = 600_000;

/** Engine ids of the secrets or configs the plan named. */
async function idsOf(docker: Docker, kind: 'secret' | 'config', names: Record<string, string>, project: string): Promise<Record<string, { id: string; name: string }>> {
  if (Object.keys(names).length === 0) return {};
  const found = await listSwarmObjects(docker, kind, `io.mfile.project=${project}`, callSignal().abortSignal);
  const out: Record<string, { id: string; name: string }> = {};
  for (const [source, name] of Object.entries(names)) {
    const hit = found.find((f) => f.name === name);
    if (!hit) throw new Error(`${kind} ${name} is not in the swarm; make a new plan`);
    out[source] = { id: hit.id, name };
  }
  return out;
}

/**
 * How many tasks a global service runs when converged: one per ready, active node when nothing constrains its
 * placement (its tasks appear a moment after the create, so counting them alone could say 0/0 too early);
 * with constraints, the tasks the engine scheduled.
 */
async function globalTarget(ctx: StepContext, docker: Docker, scheduled: number): Promise<number> {
  const deploy = ctx.desired.swarm?.services[ctx.node.name]?.deploy;
  if (deploy?.mode !== 'global' || deploy.placement.constraints.length > 0) return scheduled;
  const nodes = await listNodes(docker, callSignal().abortSignal);
  return nodes.filter((n) => n.state === 'ready' && n.availability === 'active').length;
}

async function converge(ctx: StepContext, docker: Docker, id: string, hash: string): Promise<string> {
  const name = ctx.node.name;
  let summary = '';
  let lastError = '';
  await pollUntil(
    ctx,
    CONVERGE_TIMEOUT_MS,
    async () => {
      const [svc, tasks] = await Promise.all([inspectService(docker, id, callSignal().abortSignal), serviceTasks(docker, id, LABEL_SERVICE_HASH, callSignal().abortSignal)]);
      const state = svc.updateState;
      if (state === 'rollback_completed') {
        // Reported once the previous version runs again, so the failure is the last thing that changes.
        const back = tasks.filter((t) => t.desired === 'running');
        const running = back.filter((t) => t.state === 'running').length;
        ctx.progress(`${name} ${running}/${svc.replicas ?? back.length} running (rolled back)`);
        if (running < (svc.replicas ?? back.length) || back.some((t) => t.state !== 'running')) return false;
        throw new Error(`service ${name}: the update failed and the engine rolled it back${svc.updateMessage ? ` (${svc.updateMessage})` : ''}`);
      }
      if (state === 'paused' || state === 'rollback_paused') throw new Error(`service ${name}: the update ${state === 'paused' ? 'failed and is paused' : 'rollback is paused'}${svc.updateMessage ? ` (${svc.updateMessage})` : ''}`);
      const wanted = tasks.filter((t) => t.desired === 'running');
      const fresh = wanted.filter((t) => t.state === 'running' && t.hash === hash).length;
      const want = svc.replicas ?? (await globalTarget(ctx, docker, wanted.length));
      const failed = tasks.filter((t) => t.hash === hash && t.error).pop();
      if (failed?.error) lastError = failed.error;
      summary = `${name} ${fresh}/${want} running`;
      ctx.progress(state && state !== 'completed' ? `${summary} (${state.replace('_', ' ')})` : summary);
      const settled = state === undefined || state === 'completed';
      return settled && fresh === want && wanted.every((t) => t.hash === hash);
    },
    `service ${name} did not converge${lastError ? ` (last task error: ${lastError})` : ''}`,
  ).catch((err: Error) => {
    if (err.message.includes('did not converge')) throw new Error(`${err.message}; ${summary}${lastError ? `; last task error: ${lastError}` : ''}`);
    throw err;
  });
  return summary;
}

/**
 * The service runs its image by content id, so every machine of the swarm must hold that content under the name:
 * a machine with another copy would fail each task placed on it until the converge wait ran out. Said at once,
 * with each machine's id. A machine whose engine does not answer is left to the swarm, which places nothing there.
 */
async function sameImageEverywhere(ctx: StepContext, ref: string, id: string): Promise<void> {
  const others = (ctx.desired.swarm?.roles ?? []).map((r) => r.machine).filter((m) => m !== ctx.node.machine);
  const held = await Promise.all(
    others.map(async (m) => ({ m, id: await ctx.conns.docker(m).then((d) => localImageId(d, ref, callSignal().abortSignal)).catch(() => id) })),
  );
  const differ = held.filter((h) => h.id !== id);
  if (differ.length === 0) return;
  const ids = [{ m: ctx.node.machine, id }, ...differ].map((h) => (h.id ? `${h.m} has ${h.id.slice(0, 19)}` : `${h.m} has no image of that name`)).join(', ');
  throw new Error(`service ${ctx.node.name}: image ${ref} is not the same on every machine of the swarm (${ids}): remove the copies that are wrong (docker image rm ${ref} on those machines) and apply again, which puts the image there anew`);
}

function record(ctx: StepContext, data: ServiceData, id: string, hash: string): (s: SwarmState | undefined) => SwarmState {
  return (s) => ({
    manager: s?.manager ?? ctx.node.machine,
    nodes: s?.nodes ?? {},
    objects: { ...(s?.objects ?? {}), [ctx.node.address]: { kind: 'service', name: ctx.node.name, engineName: data.engineName, id, configHash: hash, attributes: ctx.node.after ?? {} } },
  });
}

async function apply(ctx: StepContext, data: ServiceData): Promise<NodeOutcome> {
  const { desired, node } = ctx;
  const spec = desired.swarm?.services[node.name];
  if (!spec) throw new Error(`${node.address}: not in machines.yml (nothing to create it from)`);
  const hash = plannedHash(node);
  const docker = await ctx.conns.docker(node.machine);
  // The image steps this one follows put the image on every machine of the swarm, this one among them.
  const imageId = await localImageId(docker, spec.image, callSignal().abortSignal);
  if (!imageId) throw new Error(`service ${node.name}: image ${spec.image} is not on ${node.machine}; make a new plan`);
  await sameImageEverywhere(ctx, spec.image, imageId);
  const engineSpec = serviceEngineSpec(spec, {
    imageId,
    project: desired.project,
    engineName: data.engineName,
    labels: mfileLabels(desired.project, node.machine, node.name, hash),
    taskLabels: { [LABEL_SERVICE_HASH]: data.taskHash },
    networks: data.networks,
    secrets: await idsOf(docker, 'secret', data.secrets, desired.project),
    configs: await idsOf(docker, 'config', data.configs, desired.project),
  });
  let id = data.serviceId;
  if (node.action === 'create' || !id) {
    ctx.progress(`creating service ${data.engineName}`);
    id = await createService(docker, engineSpec, callSignal().abortSignal);
  } else {
    const current = await inspectService(docker, id, callSignal().abortSignal);
    ctx.progress(`updating service ${data.engineName} at version ${current.version}`);
    await updateService(docker, id, current.version, engineSpec, callSignal().abortSignal);
  }
  const summary = await converge(ctx, docker, id, data.taskHash);
  return { swarm: record(ctx, data, id, hash), text: `${node.action === 'create' ? 'created' : 'updated'}: ${summary}` };
}

async function remove(ctx: StepContext, data: ServiceData): Promise<NodeOutcome> {
  const docker = await ctx.conns.docker(ctx.node.machine);
  const id = data.serviceId ?? data.engineName;
  try {
    await removeService(docker, id, callSignal().abortSignal);
    // Its tasks stop a moment later; networks and secrets it used are free only then.
    await pollUntil(ctx, 120_000, async () => {
      const left = (await serviceTasks(docker, id, LABEL_SERVICE_HASH, callSignal().abortSignal).catch(() => [])).filter((t) => t.state === 'running').length;
      ctx.progress(`${ctx.node.name}: ${left} task${left === 1 ? '' : 's'} stopping`);
      return left === 0;
    }, `service ${ctx.node.name}'s tasks did not stop`);
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  const address = ctx.node.address;
  return {
    swarm: (s) => {
      if (!s) return s;
      const objects = { ...s.objects };
      delete objects[address];
      return { ...s, objects };
    },
  };
}

export const swarmServiceStep: StepHandler = {
  run(ctx) {
    const data = ctx.node.swarm;
    if (data?.op !== 'service') throw new Error(`${ctx.node.address}: the plan gives no service step data; make a new plan`);
    return ctx.node.action === 'delete' ? remove(ctx, data) : apply(ctx, data);
  },
};
