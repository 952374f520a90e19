// The order the terminal view lists steps in: each after what it depends on (a machine before its images, an
// image before its containers), as apply runs them; ties keep the plan's address order.
import type { PlanNode } from '../model/index.js';

export function runOrder(nodes: readonly PlanNode[]): PlanNode[] {
  const byAddress = new Map(nodes.map((n) => [n.address, n]));
  const seen = new Set<string>();
  const out: PlanNode[] = [];
  // Depth-first: dependencies are placed before the node. A cycle (refused by the executor) cannot loop here.
  const visit = (n: PlanNode): void => {
    if (seen.has(n.address)) return;
    seen.add(n.address);
    for (const d of [...n.dependsOn].sort()) {
      const dep = byAddress.get(d);
      if (dep) visit(dep);
    }
    out.push(n);
  };
  nodes.forEach(visit);
  return out;
}
