// How a container's replacement makes way for it: side by side, unless the two would share host ports or fixed
// addresses (then the old one stops first). Decided here so the step only carries it out.
import type { ContainerSpec, ReplaceStrategy } from '../model/index.js';

const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** `because` holds values from machines.yml: the planner masks it like every other text it emits. */
export function replaceStrategy(spec: ContainerSpec): ReplaceStrategy {
  const because: string[] = [];
  for (const p of spec.ports) if (p.published) because.push(`published port ${p.published}`);
  for (const [net, n] of Object.entries(spec.networks).sort((a, b) => byString(a[0], b[0]))) {
    for (const ip of [n.ipv4_address, n.ipv6_address]) if (ip) because.push(`fixed address ${ip} on ${net}`);
  }
  return because.length ? { kind: 'stop-first', because } : { kind: 'start-first' };
}
