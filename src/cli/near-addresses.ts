// "did you mean ...?" for a mistyped address: every candidate within two edits, and the same name elsewhere.
import { nearest } from '../config/did-you-mean.js';
import { parseAddress } from '../plan/names.js';

/** Up to five addresses near `address`, sorted. */
export function nearAddresses(address: string, candidates: readonly string[]): string[] {
  const near = new Set<string>();
  let pool = candidates.filter((c) => c !== address);
  for (let i = 0; i < 5; i++) {
    const n = nearest(address, pool);
    if (n === undefined) break;
    near.add(n);
    pool = pool.filter((c) => c !== n);
  }
  const p = parseAddress(address);
  if (p) for (const c of candidates) if (c !== address && parseAddress(c)?.name === p.name) near.add(c);
  return [...near].sort().slice(0, 5);
}

/** ` (did you mean A, B?)` or ''. */
export function didYouMeanAddress(address: string, candidates: readonly string[]): string {
  const near = nearAddresses(address, candidates);
  return near.length ? ` (did you mean ${near.join(', ')}?)` : '';
}
