// Helpers shared by the step handlers: labels, specs, per-call timeouts.
import type { ContainerSpec, Desired } from '../../model/index.js';
import { containerEngineName, containerName, networkEngineName, volumeEngineName } from '../../model/engine-names.js';
import { mfileLabels } from '../../model/labels.js';

export { containerName, networkEngineName, volumeEngineName };
import type { MappingContext } from '../../remote/docker/container-config.js';
import type { NodeOutcome, StepContext, StepHandler } from '../types.js';
import { containerConfigHash } from '../../plan/hash.js';

/** Per engine call (create, start, remove...): generous, but a hung engine cannot hang apply forever. */
export const CALL_TIMEOUT_MS = 120_000;

export const callSignal = (ms = CALL_TIMEOUT_MS): { abortSignal: AbortSignal } => ({ abortSignal: AbortSignal.timeout(ms) });

export function mappingContext(desired: Desired, machine: string, spec: ContainerSpec, engine?: string): MappingContext {
  return {
    project: desired.project,
    machine,
    configHash: containerConfigHash(spec, desired.project, desired.sensitiveDigests),
    engineName: engine ?? containerEngineName(desired.project, spec),
    networkName: (n) => networkEngineName(desired, n),
    volumeName: (v) => volumeEngineName(desired, v),
    containerName: (c) => containerName(desired, c),
  };
}

export function labelsFor(desired: Desired, machine: string, name: string, hash: string, user: Record<string, string>): Record<string, string> {
  return { ...user, ...mfileLabels(desired.project, machine, name, hash) };
}

export function specOf(desired: Desired, kind: 'containers' | 'networks' | 'volumes', name: string, address: string): NonNullable<Desired[typeof kind][string]> {
  const s = desired[kind][name];
  if (!s) throw new Error(`${address}: not in machines.yml (nothing to create it from)`);
  return s as NonNullable<Desired[typeof kind][string]>;
}

/** A step for objects that are only created and removed: a replace is a remove, then a create. */
export function createRemoveStep(create: (ctx: StepContext) => Promise<NodeOutcome>, remove: (ctx: StepContext) => Promise<NodeOutcome>): StepHandler {
  return {
    async run(ctx) {
      if (ctx.node.action === 'delete') return remove(ctx);
      if (ctx.node.action === 'replace') await remove(ctx);
      return create(ctx);
    },
  };
}
