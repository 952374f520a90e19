// Volume create / delete. Creating is idempotent on the engine; a volume still in use is not deleted.
import type { VolumeSpec } from '../../model/index.js';
import { isConflict, isNotFound } from '../../remote/docker/errors.js';
import type { NodeOutcome, StepContext, StepHandler } from '../types.js';
import { callSignal, createRemoveStep, labelsFor, plannedHash, specOf, volumeEngineName } from './common.js';

async function create(ctx: StepContext): Promise<NodeOutcome> {
  const { desired, node } = ctx;
  const spec = specOf(desired, 'volumes', node.name, node.address) as VolumeSpec;
  const docker = await ctx.conns.docker(node.machine);
  const hash = plannedHash(node);
  const name = volumeEngineName(desired, node.name);
  await docker.createVolume({
    Name: name,
    Driver: spec.driver,
    DriverOpts: spec.driverOpts,
    Labels: labelsFor(desired, node.machine, node.name, hash, spec.labels),
    ...callSignal(),
  } as Parameters<typeof docker.createVolume>[0]);
  return { record: { id: name, configHash: hash } };
}

async function remove(ctx: StepContext): Promise<NodeOutcome> {
  const { desired, node } = ctx;
  const docker = await ctx.conns.docker(node.machine);
  const name = node.existingId ?? ctx.state.objects[node.address]?.id ?? volumeEngineName(desired, node.name);
  try {
    await docker.getVolume(name).remove(callSignal());
  } catch (err) {
    if (isNotFound(err)) return { record: null };
    if (isConflict(err)) throw new Error(`volume ${name} is still in use by a container; remove that container first`);
    throw err;
  }
  return { record: null };
}

export const volumeStep: StepHandler = createRemoveStep(create, remove);
