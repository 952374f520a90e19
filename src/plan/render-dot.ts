// The plan's DAG as Graphviz DOT (`mfile graph`): one node per plan node, labelled with its address and action,
// an edge from each node to what it waits for. Nodes and edges in address order, so the text is stable.
import type { Plan } from '../model/index.js';
import { terminalLine } from '../terminal-text.js';

const inner = (s: string): string => terminalLine(s).replace(/[\\"]/g, '\\$&');
const quote = (s: string): string => `"${inner(s)}"`;
const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export function renderPlanDot(plan: Plan): string {
  const nodes = [...plan.nodes].sort((a, b) => byString(a.address, b.address));
  const known = new Set(nodes.map((n) => n.address));
  const lines = ['digraph mfile {', '  rankdir = "RL";', '  node [shape = "box"];'];
  for (const n of nodes) lines.push(`  ${quote(n.address)} [label = "${inner(n.address)}\\n${n.action}"];`);
  for (const n of nodes) {
    for (const d of [...n.dependsOn].sort(byString)) if (known.has(d)) lines.push(`  ${quote(n.address)} -> ${quote(d)};`);
    // Order-only edges (a rolling update with failure_action continue): dashed.
    for (const d of [...(n.runsAfter ?? [])].sort(byString)) if (known.has(d)) lines.push(`  ${quote(n.address)} -> ${quote(d)} [style = "dashed"];`);
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}
