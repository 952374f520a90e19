// What a container waits for before it starts, and on which machine.
import type { ContainerSpec, ContainerWait, Desired, PlanNode } from '../model/index.js';
import { parseAddress } from '../model/names.js';
import { hasOwnKeys } from './attributes.js';

/**
 * Where a container waits for each depends_on dependency: on its own machine when the dependency runs there,
 * else on the machine the plan makes it depend on, else the first one the dependency is declared on.
 */
export function waitsOf(node: PlanNode, desired: Desired): ContainerWait[] {
  const spec = desired.containers[node.name];
  if (!spec) return [];
  const out: ContainerWait[] = [];
  for (const dep of Object.keys(spec.depends_on).sort()) {
    const depSpec = desired.containers[dep];
    if (!depSpec) continue;
    // The plan's edges are parsed only when the dependency does not run here (10,000 containers parsed every
    // edge of every node before).
    const fromPlan = (): string | undefined => node.dependsOn.map(parseAddress).find((a) => a?.kind === 'container' && a.name === dep)?.machine;
    const machine = depSpec.machines.includes(node.machine) ? node.machine : (fromPlan() ?? depSpec.machines[0]);
    if (machine !== undefined) out.push({ container: dep, machine });
  }
  return out;
}

/** Containers this one waits for: depends_on, `network_mode: service:NAME` and `volumes_from: service:NAME`. */
export function containerDeps(spec: ContainerSpec): readonly string[] {
  // Most containers wait for nothing: no arrays for them (asked twice per container in a plan).
  if (!spec.network_mode?.startsWith('service:') && !spec.volumes_from?.length && !hasOwnKeys(spec.depends_on)) return NO_DEPS;
  const deps = Object.keys(spec.depends_on);
  const nm = spec.network_mode;
  if (nm?.startsWith('service:')) deps.push(nm.slice('service:'.length));
  for (const ref of spec.volumes_from ?? []) if (ref.startsWith('service:')) deps.push(ref.split(':')[1]);
  return [...new Set(deps)];
}

const NO_DEPS: readonly string[] = Object.freeze([]);
