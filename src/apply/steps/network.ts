// Network create / delete (replace = delete + create; the planner orders the containers around it).
import { setTimeout as sleep } from 'node:timers/promises';
import type Docker from 'dockerode';
import type { NetworkSpec } from '../../model/index.js';
import { LABEL_PROJECT } from '../../model/labels.js';
import { isConflict, isNotFound, statusOf } from '../../remote/docker/errors.js';
import type { NodeOutcome, StepContext, StepHandler } from '../types.js';
import { inspectOrNull } from './container-ops.js';
import { callSignal, createRemoveStep, labelsFor, networkEngineName, plannedHash, specOf } from './common.js';

async function create(ctx: StepContext): Promise<NodeOutcome> {
  const { desired, node } = ctx;
  const spec = specOf(desired, 'networks', node.name, node.address) as NetworkSpec;
  const docker = await ctx.conns.docker(node.machine);
  const name = networkEngineName(desired, node.name);
  const hash = plannedHash(node);
  const opts = {
    Name: name,
    CheckDuplicate: true,
    Driver: spec.driver,
    Internal: spec.internal,
    Attachable: spec.attachable,
    EnableIPv6: spec.enableIpv6,
    // Sent only when off: engines before API 1.47 do not know the field (the plan refuses false there).
    ...(spec.enableIpv4 === false ? { EnableIPv4: false } : {}),
    Options: spec.driverOpts,
    Labels: labelsFor(desired, node.machine, node.name, hash, spec.labels),
    ...(spec.ipam
      ? { IPAM: { Driver: spec.ipam.driver ?? 'default', Config: spec.ipam.config.map((c) => ({ Subnet: c.subnet, Gateway: c.gateway, IPRange: c.ip_range, AuxiliaryAddresses: c.aux_addresses })), Options: spec.ipam.options } }
      : {}),
    ...callSignal(),
  };
  try {
    const net = await docker.createNetwork(opts);
    return { record: { id: net.id, configHash: hash } };
  } catch (err) {
    // Left by an interrupted run: adopt ours, refuse someone else's.
    if (!isConflict(err)) throw err;
    const found = await docker.getNetwork(name).inspect();
    if (found.Labels?.[LABEL_PROJECT] !== desired.project) throw new Error(`network ${name} exists and is not managed by mfile project ${desired.project}`);
    return { record: { id: found.Id, configHash: hash } };
  }
}

async function remove(ctx: StepContext): Promise<NodeOutcome> {
  const { desired, node } = ctx;
  const docker = await ctx.conns.docker(node.machine);
  const target = node.existingId ?? ctx.state.objects[node.address]?.id ?? networkEngineName(desired, node.name);
  const deadline = Date.now() + ENDPOINT_RELEASE_MS;
  for (;;) {
    try {
      await docker.getNetwork(target).remove(callSignal());
      return { record: null };
    } catch (err) {
      if (isNotFound(err)) return { record: null };
      if (statusOf(err) !== 403 && !isConflict(err)) throw err;
      // dockerd releases a stopped container's endpoint after its stop and remove calls have returned: on a
      // busy engine the network is briefly "in use" by containers that are already gone. Only then try again.
      if (Date.now() > deadline || (await attachedContainerExists(docker, target))) {
        throw new Error(`network ${target} still has containers attached: ${(err as Error).message.split('\n')[0]}`);
      }
      await sleep(100, undefined, { signal: ctx.signal });
    }
  }
}

/** How long a network whose attached containers are all gone is tried again. */
const ENDPOINT_RELEASE_MS = 15_000;

/** True when a container the engine still lists on the network exists (or the network cannot be read). */
async function attachedContainerExists(docker: Docker, network: string): Promise<boolean> {
  let info: { Containers?: Record<string, unknown> };
  try {
    // @types/dockerode lacks inspect's options; docker-modem honours abortSignal.
    info = await (docker.getNetwork(network) as unknown as { inspect(o: object): Promise<typeof info> }).inspect(callSignal(30_000));
  } catch (err) {
    return !isNotFound(err);
  }
  for (const id of Object.keys(info.Containers ?? {})) {
    if (await inspectOrNull(docker, id)) return true;
  }
  return false;
}

export const networkStep: StepHandler = createRemoveStep(create, remove);
