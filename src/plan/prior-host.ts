// The host a machine node removes, taken from the prior record, so apply removes exactly what the state holds.
import type { MachineRecord, PriorHost } from '../model/index.js';

export function priorHostOf(rec: MachineRecord): PriorHost {
  const p: PriorHost = { driverData: structuredClone(rec.driverData) };
  if (rec.ssh) p.ssh = structuredClone(rec.ssh);
  if (rec.hostKeyFingerprint) p.hostKeyFingerprint = rec.hostKeyFingerprint;
  if (rec.jumpHostKeyFingerprint) p.jumpHostKeyFingerprint = rec.jumpHostKeyFingerprint;
  return p;
}
