// build.push: an image built once, on the first of its machines, pushed to a declared registry and pulled by
// the other machines from there (instead of being built or copied on each). Pure helpers of the planner.
import type { Desired, PlanNode, RegistrySpec } from '../model/index.js';

/** Reference -> the machine that builds and pushes it: the first, by name, of the machines of the containers that push it. */
export function pushBuilders(desired: Desired): Map<string, string> {
  const out = new Map<string, string>();
  for (const c of Object.values(desired.containers)) {
    if (c.build?.push === undefined) continue;
    for (const m of c.machines) {
      const seen = out.get(c.image);
      if (desired.machines[m] !== undefined && (seen === undefined || m < seen)) out.set(c.image, m);
    }
  }
  return out;
}

/** The reasons of a pushed image's node: which path it takes. */
export function pushReasons(reasons: string[], action: PlanNode['action'], builds: boolean, registry: RegistrySpec, builder: string): string[] {
  const at = `registry ${registry.name} (${registry.address})`;
  if (builds) return action === 'noop' ? reasons : [...reasons, `built here and pushed to ${at}; the other machines pull it from there`];
  const pull = `pulled from ${at} once ${builder} has pushed it`;
  if (action === 'noop') return reasons;
  if (action === 'create') return [`not on the machine: ${pull}`];
  if (action === 'update') return [...reasons.map((r) => r.replace(`: pulled from ${at}`, '')), pull];
  return [pull];
}

/**
 * After the edges are set: each puller waits for the builder's push; a builder with nothing to do of its own
 * still pushes when another machine is to pull.
 */
export function linkPushes(nodes: Map<string, PlanNode>, pushed: Map<string, { builder?: string; pullers: string[] }>, held: ReadonlySet<string> = new Set()): void {
  for (const { builder, pullers } of pushed.values()) {
    const b = builder ? nodes.get(builder) : undefined;
    if (!b) continue;
    const waiting = pullers.map((a) => nodes.get(a)).filter((n): n is PlanNode => n !== undefined && n.action !== 'noop');
    if (waiting.length === 0) continue;
    for (const n of waiting) if (!n.dependsOn.includes(b.address)) n.dependsOn.push(b.address);
    // A builder on a machine held stopped does nothing until it is started.
    if (b.action === 'noop' && !held.has(b.machine)) {
      b.action = 'read';
      b.reasons = [`pushed again for ${waiting.map((n) => n.machine).join(', ')}`];
    }
  }
}
