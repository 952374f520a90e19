// --target: keep the matching nodes and everything they depend on, transitively.
import type { PlanNode } from '../model/index.js';
import { targetMatcher } from './names.js';

export const TARGETING_WARNING =
  'Resource targeting is in effect: only the targeted objects and what they depend on are planned, ' +
  'so the plan may be incomplete. Use --target for exceptional situations, not routine operations.';

export function selectTargets(nodes: readonly PlanNode[], targets: readonly string[]): { nodes: PlanNode[]; warnings: string[] } {
  const warnings = [TARGETING_WARNING];
  const byAddress = new Map(nodes.map((n) => [n.address, n]));
  const keep = new Set<string>();
  const stack: string[] = [];
  for (const t of targets) {
    const matches = targetMatcher(t);
    let hit = false;
    for (const n of nodes) {
      if (!matches(n.address)) continue;
      hit = true;
      if (!keep.has(n.address)) {
        keep.add(n.address);
        stack.push(n.address);
      }
    }
    if (!hit) warnings.push(`target ${t} matches nothing in the plan`);
  }
  while (stack.length > 0) {
    const n = byAddress.get(stack.pop()!);
    for (const d of n?.dependsOn ?? []) {
      if (!keep.has(d) && byAddress.has(d)) {
        keep.add(d);
        stack.push(d);
      }
    }
  }
  return { nodes: nodes.filter((n) => keep.has(n.address)), warnings };
}
