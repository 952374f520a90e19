// Drive the real machine step (create / update / delete) for sandbox machines, without the executor.
import { dirname, join } from 'node:path';
import { machineStep } from '../../src/apply/steps/machine.js';
import type { Connections } from '../../src/apply/connections.js';
import type { StepContext } from '../../src/apply/types.js';
import type { Action, Desired, MachineRecord, MachineSpec, State } from '../../src/model/index.js';
import { priorHostOf } from '../../src/plan/prior-host.js';
import { engineAttributes, engineConfigHash } from '../../src/plan/index.js';
import type { PlanNode } from '../../src/model/index.js';

function settled(desired: Desired, spec: MachineSpec): Partial<PlanNode> {
  return { after: { engine: engineAttributes(spec) }, driverOptions: spec.driverOptions, configHash: engineConfigHash(spec, desired.sensitiveDigests) };
}
import { builtinCatalog } from '../../src/drivers/catalog.js';

export interface Harness {
  desired: Desired;
  state: State;
  stateDir: string;
  /** Records written through checkpointMachine, in order (pending before create, tainted on failure). */
  checkpoints: MachineRecord[];
  events: string[];
  run(machine: string, action: Action): Promise<MachineRecord | null | undefined>;
}

export function harness(stateDir: string, machines: MachineSpec[]): Harness {
  const desired = {
    project: 'test',
    configPath: join(dirname(stateDir), 'machines.yml'),
    configDigest: '',
    variables: {},
    sensitiveValues: [],
    machines: Object.fromEntries(machines.map((m) => [m.name, m])),
    networks: {},
    volumes: {},
    secrets: {},
    containers: {},
    drivers: builtinCatalog(),
  } as Desired;
  const state: State = { version: 1, mfile_version: '0.1.0', lineage: 'test', serial: 0, machines: {}, objects: {} };
  const h: Harness = {
    desired,
    state,
    stateDir,
    checkpoints: [],
    events: [],
    async run(machine, action) {
      const conns = { spec: (m: string) => desired.machines[m] } as unknown as Connections;
      const ctx: StepContext = {
        node: {
          address: `machine.${machine}`, kind: 'machine', machine, name: machine, action, reasons: [], before: null, after: null, dependsOn: [],
          // As the planner fills it: the prior record's host for the nodes that may remove it.
          priorHost: state.machines[machine] && action !== 'update' && action !== 'noop' ? priorHostOf(state.machines[machine]) : undefined,
          // And what it settles for the step: the engine hash and attributes, the driver options to record.
          ...(action !== 'delete' && desired.machines[machine] ? settled(desired, desired.machines[machine]) : {}),
        },
        desired,
        state,
        conns,
        signal: new AbortController().signal,
        options: {},
        progress: (text, sub) => h.events.push(`${sub ?? '-'}: ${text}`),
        checkpointMachine: async (r) => {
          h.checkpoints.push(structuredClone(r));
          state.machines[machine] = structuredClone(r);
        },
      };
      const out = await machineStep.run(ctx);
      if (out.machineRecord === null) delete state.machines[machine];
      else if (out.machineRecord) state.machines[machine] = out.machineRecord;
      return out.machineRecord;
    },
  };
  return h;
}
