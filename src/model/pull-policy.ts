// pull_policy vocabulary: Compose's values, and the interval of the time-based ones.
import type { ContainerPullPolicy } from './desired.js';

const UNIT_SECONDS: Record<string, number> = { w: 604_800, d: 86_400, h: 3_600, m: 60, s: 1 };
const EVERY_RE = /^every_((?:\d+[wdhms])+)$/;

/** Seconds between pulls for daily, weekly and every_<duration>; undefined for the other policies. */
export function pullIntervalSeconds(policy: ContainerPullPolicy): number | undefined {
  if (policy === 'daily') return UNIT_SECONDS.d;
  if (policy === 'weekly') return UNIT_SECONDS.w;
  const m = EVERY_RE.exec(policy);
  if (!m) return undefined;
  let total = 0;
  for (const [, n, unit] of m[1].matchAll(/(\d+)([wdhms])/g)) total += Number(n) * UNIT_SECONDS[unit];
  return total;
}
