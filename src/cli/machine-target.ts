// One machine as the single-machine verbs see it: its spec (machines.yml, else rebuilt from the state), its
// record, its driver and a request for that driver carrying the recorded address and pinned keys.
import path from 'node:path';
import { createConnections } from '../apply/index.js';
import type { Driver, MachineRequest } from '../drivers/driver.js';
import { driverFor } from '../drivers/registry.js';
import { DriverError, UsageError } from '../errors.js';
import type { Desired, MachineRecord, MachineSpec, State } from '../model/index.js';
import { priorHostOf } from '../plan/prior-host.js';

export interface MachineTarget {
  name: string;
  spec: MachineSpec;
  record?: MachineRecord;
  driver: Driver;
  /** driverData is a copy: a driver may update it (new pids after a start), and the verb records it. */
  request: MachineRequest;
}

export function machineTarget(desired: Desired, state: State, statePath: string, name: string): MachineTarget {
  const record = state.machines[name];
  if (!desired.machines[name] && !record) {
    const known = [...new Set([...Object.keys(desired.machines), ...Object.keys(state.machines)])].sort();
    throw new UsageError(`no machine named ${name} in machines.yml or the state${known.length ? ` (known: ${known.join(', ')})` : ''}`);
  }
  const stateDir = path.dirname(statePath);
  const spec = createConnections(desired, state, stateDir).spec(name);
  const driver = driverFor(spec.driver);
  const request: MachineRequest = {
    machine: spec,
    driverData: structuredClone(record?.driverData ?? {}),
    ctx: { stateDir, project: desired.project },
    ...(record ? { prior: priorHostOf(record) } : {}),
  };
  return { name, spec, record, driver, request };
}

/** A provisioned machine must have been created (and reached) by apply before a verb can act on it. */
export function requireCreated(t: MachineTarget): MachineRecord {
  if (!t.record || t.record.status !== 'created') {
    throw new DriverError(t.name, t.record ? `its last create did not finish (${t.record.status}): run mfile apply` : 'not created yet: run mfile apply');
  }
  return t.record;
}
