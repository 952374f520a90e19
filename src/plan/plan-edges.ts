// Edges, added once all nodes are known: what each node waits for on its machine and across machines.
import type { PlanNode } from '../model/index.js';
import { machineAddress, objectAddress } from './names.js';
import { containerDeps } from './container-waits.js';
import type { PlanContext, ContainerInfo } from './plan-context.js';

export function addEdges(ctx: PlanContext): void {
  for (const [m, list] of ctx.onMachine) {
    const machineNode = ctx.nodes.get(machineAddress(m));
    const containerDeletes = list.filter((n) => n.kind === 'container' && n.action === 'delete').map((n) => n.address);
    const containerRemovals = list.filter((n) => n.kind === 'container' && (n.action === 'delete' || n.action === 'replace')).map((n) => n.address);
    const deletes: string[] = [];
    for (const n of list) {
      const deps = new Set<string>();
      if (n.action === 'delete') {
        deletes.push(n.address);
        if (n.kind === 'container') for (const d of dependentDeletes(ctx, n.name)) deps.add(d);
        else for (const c of containerRemovals) deps.add(c);
      } else {
        if (machineNode && machineNode.action !== 'delete') deps.add(machineNode.address);
        if (n.kind === 'container') {
          const info = ctx.containerInfo.get(n.address);
          if (info) containerForwardDeps(ctx, n, info, deps);
          // A removed container frees its name and ports before anything new starts.
          if (n.action === 'create' || n.action === 'replace') for (const d of containerDeletes) deps.add(d);
        }
      }
      deps.delete(n.address);
      n.dependsOn = [...deps];
    }
    if (machineNode && (machineNode.action === 'delete' || machineNode.action === 'replace')) {
      machineNode.dependsOn = [...new Set([...machineNode.dependsOn, ...deletes])];
    }
  }
}

function containerForwardDeps(ctx: PlanContext, n: PlanNode, info: ContainerInfo, deps: Set<string>): void {
  for (const u of info.uses) {
    const target = ctx.nodes.get(u);
    if (target && target.action !== 'delete') deps.add(u);
  }
  for (const dep of containerDeps(info.spec)) {
    const machines = ctx.placement.get(dep) ?? [];
    // Same machine when the dependency runs there; otherwise every machine it runs on.
    const where = machines.includes(n.machine) ? [n.machine] : machines;
    for (const w of where) {
      const a = objectAddress('container', dep, w);
      const target = ctx.nodes.get(a);
      if (target && target.action !== 'delete') deps.add(a);
    }
  }
}

/** Deletes of containers that depend on `name`: they go first. */
function dependentDeletes(ctx: PlanContext, name: string): string[] {
  const out: string[] = [];
  for (const d of ctx.dependents.get(name) ?? []) {
    for (const a of ctx.containerNodes.get(d) ?? []) if (ctx.nodes.get(a)?.action === 'delete') out.push(a);
  }
  return out;
}
