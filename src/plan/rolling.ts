// Rolling updates (deploy.update_config): a container's replaces across its machines go in batches, in the
// order of its `machines:` list. Each batch waits for the one before (edges), so a failed batch skips the rest;
// with failure_action continue the edges are order-only (runsAfter) and a failure skips nothing.
import type { ContainerSpec, Desired, PlanNode, ReplaceStrategy, UpdateConfigSpec } from '../model/index.js';
import { objectAddress } from './names.js';
import { replaceStrategy } from './replace-strategy.js';

const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const ms = (ns: number): number => Math.round(ns / 1e6);

/**
 * Sets `rolling`, `replaceStrategy` and the batch edges on the replace nodes of every container with
 * update_config. `mask` masks values quoted from machines.yml. Returns the plan's warnings.
 */
export function planRollingUpdates(nodes: ReadonlyMap<string, PlanNode>, desired: Desired, mask: (text: string) => string): string[] {
  const warnings: string[] = [];
  for (const name of Object.keys(desired.containers).sort(byString)) {
    const spec = desired.containers[name];
    const u = spec.update_config;
    if (!u) continue;
    const replaces = spec.machines
      .map((m) => nodes.get(objectAddress('container', name, m)))
      .filter((n): n is PlanNode => n?.action === 'replace');
    if (replaces.length === 0) continue;
    const { strategy, fallback } = rollingStrategy(spec, u);
    if (fallback) warnings.push(`container ${name}: update_config.order start-first falls back to stop-first (${fallback}): each machine stops its old container before the new one starts`);
    const size = u.parallelism === 0 ? replaces.length : u.parallelism;
    const batches: PlanNode[][] = [];
    for (let i = 0; i < replaces.length; i += size) batches.push(replaces.slice(i, i + size));
    batches.forEach((batch, i) => {
      const before = i > 0 ? batches[i - 1].map((n) => n.address).sort(byString) : [];
      for (const n of batch) {
        n.replaceStrategy = strategy.kind === 'stop-first' ? { kind: 'stop-first', because: strategy.because.map(mask) } : strategy;
        n.rolling = { batch: i + 1, batches: batches.length, delayMs: i > 0 ? ms(u.delay) : 0, monitorMs: ms(u.monitor), failureAction: u.failure_action };
        if (before.length === 0) continue;
        if (u.failure_action === 'continue') n.runsAfter = before;
        else n.dependsOn = [...new Set([...n.dependsOn, ...before])];
      }
    });
  }
  return warnings;
}

/** stop-first unless start-first is asked for and the two containers share no published port or fixed address. */
function rollingStrategy(spec: ContainerSpec, u: UpdateConfigSpec): { strategy: ReplaceStrategy; fallback?: string } {
  if (u.order === 'stop-first') return { strategy: { kind: 'stop-first', because: ['update_config.order stop-first'] } };
  const s = replaceStrategy(spec);
  return s.kind === 'stop-first' ? { strategy: s, fallback: s.because.join(', ') } : { strategy: s };
}
