// `--replace ADDR`: every address must name a machine or container of the plan that can be replaced.
import { nearAddresses } from './near-addresses.js';
import { UsageError } from '../errors.js';
import type { Plan } from '../model/index.js';
import { REPLACE_REQUESTED } from '../plan/index.js';

export function assertReplaced(plan: Plan, addresses: readonly string[]): void {
  const byAddress = new Map(plan.nodes.map((n) => [n.address, n]));
  const candidates = plan.nodes.filter((n) => n.kind === 'machine' || n.kind === 'container').filter((n) => !n.address.includes('#')).map((n) => n.address);
  for (const a of addresses) {
    const node = byAddress.get(a);
    if (!node) {
      const near = nearAddresses(a, candidates);
      throw new UsageError(`--replace ${a}: no such object in the plan${near.length ? `; did you mean ${near.join(', ')}?` : ''}`);
    }
    if (node.kind !== 'machine' && node.kind !== 'container') {
      throw new UsageError(`--replace ${a}: only machines and containers are replaced; a ${node.kind} is kept under the containers using it (mfile destroy --target ${a}, then apply)`);
    }
    if (node.action === 'create' || node.action === 'replace' || node.reasons.some((r) => r.startsWith('waits for'))) continue;
    if (node.action === 'delete') throw new UsageError(`--replace ${a}: it is destroyed by this plan`);
    if (!node.reasons.includes(REPLACE_REQUESTED)) throw new UsageError(`--replace ${a}: mfile does not create this machine's engine (it only records it), so it cannot replace it`);
  }
}
