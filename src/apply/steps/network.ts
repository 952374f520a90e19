// Network create / delete (replace = delete + create; the planner orders the containers around it).
import type { NetworkSpec } from '../../model/index.js';
import { LABEL_PROJECT } from '../../model/labels.js';
import { isConflict, isNotFound, statusOf } from '../../remote/docker/errors.js';
import type { NodeOutcome, StepContext, StepHandler } from '../types.js';
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
  try {
    await docker.getNetwork(target).remove(callSignal());
  } catch (err) {
    if (isNotFound(err)) return { record: null };
    if (statusOf(err) === 403 || isConflict(err)) throw new Error(`network ${target} still has containers attached: ${(err as Error).message.split('\n')[0]}`);
    throw err;
  }
  return { record: null };
}

export const networkStep: StepHandler = createRemoveStep(create, remove);
