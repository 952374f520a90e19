// A machine record as the plan shows its prior side, and which engine keys changed (the daemon-restart reason).
import type { MachineRecord } from '../model/index.js';
import { prune } from './attributes.js';
import { diffAttributes } from './diff.js';

export function machineBefore(rec: MachineRecord): Record<string, unknown> {
  return prune({ driver: rec.driver, driver_options: rec.driverOptions, engine: rec.engine }) as Record<string, unknown>;
}

/** Top-level engine keys that differ (tls.* named in full), for the daemon-restart reason. */
export function engineKeysChanged(before: Record<string, unknown> | undefined, after: Record<string, unknown> | undefined): string[] {
  if (!before || !after) return [];
  const keys = new Set<string>();
  for (const c of diffAttributes(before, after)) {
    const parts = c.path.split('.');
    keys.add(parts[0] === 'tls' && parts.length > 1 ? `tls.${parts[1]}` : parts[0]);
  }
  return [...keys].sort();
}
