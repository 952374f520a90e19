// The swarm's default address pool: the one the file gives, else the first candidate that overlaps none of the
// machines' known addresses and declared subnets (Docker's own default, 10.0.0.0/8, swallows many LANs).
import { cidrHolding, ipv4Range } from '../model/index.js';

const CANDIDATES = ['10.200.0.0/16', '10.201.0.0/16', '172.29.0.0/16', '192.168.240.0/20'];

/** Every IPv4 address or CIDR found in the values (driver options, state addresses, subnets). */
export function addressesIn(values: unknown[]): string[] {
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (typeof v === 'string') {
      for (const m of v.matchAll(/\d{1,3}(?:\.\d{1,3}){3}(?:\/\d{1,2})?/g)) if (ipv4Range(m[0])) out.push(m[0]);
    } else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  values.forEach(walk);
  return [...new Set(out)].sort();
}

/** The pool and why; `taken` holds the addresses and subnets it must avoid. */
export function pickAddressPool(taken: string[]): { pool: string[]; clash: string[] } {
  const clear = CANDIDATES.find((c) => !taken.some((t) => cidrHolding(t, [c]) !== undefined));
  return clear ? { pool: [clear], clash: [] } : { pool: [CANDIDATES[0]], clash: taken };
}
