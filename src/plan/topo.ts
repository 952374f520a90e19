// Deterministic topological order of a plan: among nodes that are ready, the smallest address goes first.
import type { Plan } from '../model/index.js';

export function topoOrder(plan: Pick<Plan, 'nodes'>): string[] {
  const indegree = new Map<string, number>();
  const next = new Map<string, string[]>();
  for (const n of plan.nodes) {
    if (indegree.has(n.address)) throw new Error(`plan has two nodes named ${n.address}`);
    indegree.set(n.address, 0);
  }
  for (const n of plan.nodes) {
    // Order-only edges (runsAfter) order too; one to a node left out by --target is no edge.
    for (const d of new Set([...n.dependsOn, ...(n.runsAfter ?? []).filter((a) => indegree.has(a))])) {
      if (!indegree.has(d)) throw new Error(`${n.address} depends on ${d}, which is not in the plan`);
      indegree.set(n.address, indegree.get(n.address)! + 1);
      const list = next.get(d);
      if (list) list.push(n.address);
      else next.set(d, [n.address]);
    }
  }
  const ready = new MinHeap();
  for (const [a, deg] of indegree) if (deg === 0) ready.push(a);
  const order: string[] = [];
  while (ready.size > 0) {
    const a = ready.pop();
    order.push(a);
    for (const b of next.get(a) ?? []) {
      const deg = indegree.get(b)! - 1;
      indegree.set(b, deg);
      if (deg === 0) ready.push(b);
    }
  }
  if (order.length < indegree.size) {
    const stuck = [...indegree].filter(([, d]) => d > 0).map(([a]) => a);
    throw new Error(`dependency cycle: ${findCycle(plan, new Set(stuck)).join(' -> ')}`);
  }
  return order;
}

/** Walks dependsOn among the stuck nodes until one repeats. */
function findCycle(plan: Pick<Plan, 'nodes'>, stuck: Set<string>): string[] {
  const deps = new Map(plan.nodes.map((n) => [n.address, n.dependsOn.filter((d) => stuck.has(d)).sort()]));
  let at = [...stuck].sort()[0];
  const path: string[] = [];
  const seen = new Map<string, number>();
  while (!seen.has(at)) {
    seen.set(at, path.length);
    path.push(at);
    at = deps.get(at)![0];
  }
  return [...path.slice(seen.get(at)), at];
}

/** Binary min-heap of strings (code-unit order), so the order never depends on insertion order. */
class MinHeap {
  private readonly items: string[] = [];
  get size(): number {
    return this.items.length;
  }
  push(v: string): void {
    const a = this.items;
    a.push(v);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (a[p] <= a[i]) break;
      [a[p], a[i]] = [a[i], a[p]];
      i = p;
    }
  }
  pop(): string {
    const a = this.items;
    const top = a[0];
    const last = a.pop()!;
    if (a.length > 0) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && a[l] < a[m]) m = l;
        if (r < a.length && a[r] < a[m]) m = r;
        if (m === i) break;
        [a[m], a[i]] = [a[i], a[m]];
        i = m;
      }
    }
    return top;
  }
}
