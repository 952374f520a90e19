// Plan counts, as Terraform counts them: a replace is one add and one destroy.
import type { PlanNode, PlanSummary } from '../model/index.js';

export function summarise(nodes: readonly PlanNode[]): PlanSummary {
  const s: PlanSummary = { add: 0, change: 0, destroy: 0 };
  for (const n of nodes) {
    if (n.action === 'create') s.add++;
    else if (n.action === 'update') s.change++;
    else if (n.action === 'delete') s.destroy++;
    else if (n.action === 'replace') {
      s.add++;
      s.destroy++;
    }
  }
  return s;
}

/** True when applying the plan would change something (reads and noops do not). */
export function planHasChanges(summary: PlanSummary): boolean {
  return summary.add + summary.change + summary.destroy > 0;
}
