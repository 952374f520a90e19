// Helpers shared by the step handlers: labels, specs, per-call timeouts.
import type { ContainerSpec, Desired, PlanNode } from '../../model/index.js';
import { containerEngineName, containerName, networkEngineName, volumeEngineName } from '../../model/engine-names.js';
import { mfileLabels } from '../../model/labels.js';

export { containerName, networkEngineName, volumeEngineName };
import type { MappingContext } from '../../remote/docker/container-config.js';
import type { NodeOutcome, StepContext, StepHandler } from '../types.js';

/** Per engine call (create, start, remove...): generous, but a hung engine cannot hang apply forever. */
export const CALL_TIMEOUT_MS = 120_000;

export const callSignal = (ms = CALL_TIMEOUT_MS): { abortSignal: AbortSignal } => ({ abortSignal: AbortSignal.timeout(ms) });

/** The config hash the planner decided for the node; a node without one was not made by this planner. */
export function plannedHash(node: PlanNode): string {
  if (node.configHash === undefined) throw new Error(`${node.address}: the plan gives no config hash for it; make a new plan`);
  return node.configHash;
}

export function mappingContext(desired: Desired, node: PlanNode, spec: ContainerSpec, engine?: string): MappingContext {
  return {
    project: desired.project,
    machine: node.machine,
    configHash: plannedHash(node),
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
