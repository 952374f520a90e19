// The project's containers as the engines report them right now (not the state): every machine's engine is
// asked, over the run's pinned connections, for the containers carrying this project's and machine's labels.
import type Docker from 'dockerode';
import { UsageError } from '../errors.js';
import { LABEL_MACHINE, LABEL_NAME, LABEL_PROJECT } from '../model/labels.js';
import type { Connections } from '../apply/index.js';
import { driverFor } from '../drivers/registry.js';
import type { Desired, State } from '../model/index.js';

/** A machine that did not answer within this bound is reported, not waited for. */
export const ENGINE_BOUND_MS = 30_000;

export interface LiveContainer {
  name: string;
  machine: string;
  id: string;
  info: Docker.ContainerInfo;
  docker: Docker;
}

export interface LiveList {
  containers: LiveContainer[];
  /** Machines whose engine could not be asked, with why. */
  unreachable: { machine: string; reason: string }[];
}

/** `name` or `name[machine]`, as the verbs take them. */
export interface Selector {
  name: string;
  machine?: string;
}

export function parseSelector(text: string): Selector {
  const m = /^([^[\]]+)(?:\[([^[\]]+)\])?$/.exec(text);
  if (!m) throw new UsageError(`expected NAME or NAME[MACHINE], got "${text}"`);
  return { name: m[1], machine: m[2] };
}

export const labelOf = (c: { name: string; machine: string }): string => `${c.name}[${c.machine}]`;

/** Machines that may run containers: in machines.yml or the state, and created unless mfile only records their engine. */
function machinesToAsk(desired: Desired, state: State): string[] {
  const names = [...new Set([...Object.keys(desired.machines), ...Object.keys(state.machines)])].sort();
  return names.filter((n) => {
    const driver = desired.machines[n]?.driver ?? state.machines[n]?.driver;
    if (!driver) return false;
    return driverFor(driver).traits.recordOnly || state.machines[n]?.status === 'created';
  });
}

async function listOn(conns: Connections, project: string, machine: string): Promise<LiveContainer[]> {
  const docker = await conns.docker(machine);
  const infos = await docker.listContainers({
    all: true,
    filters: { label: [`${LABEL_PROJECT}=${project}`, `${LABEL_MACHINE}=${machine}`] },
    abortSignal: AbortSignal.timeout(ENGINE_BOUND_MS),
  } as Docker.ContainerListOptions);
  return infos.map((info) => ({ name: info.Labels[LABEL_NAME] ?? info.Names[0]?.replace(/^\//, '') ?? info.Id, machine, id: info.Id, info, docker }));
}

/** Every machine asked in parallel; the list is sorted by name, then machine. */
export async function listProjectContainers(conns: Connections, desired: Desired, state: State): Promise<LiveList> {
  const machines = machinesToAsk(desired, state);
  const settled = await Promise.allSettled(machines.map((m) => listOn(conns, desired.project, m)));
  const containers: LiveContainer[] = [];
  const unreachable: LiveList['unreachable'] = [];
  settled.forEach((r, i) => {
    if (r.status === 'fulfilled') containers.push(...r.value);
    else unreachable.push({ machine: machines[i], reason: (r.reason as Error)?.message ?? String(r.reason) });
  });
  containers.sort((a, b) => a.name.localeCompare(b.name) || a.machine.localeCompare(b.machine));
  return { containers, unreachable };
}

/** The containers the selectors name (all when none); a selector that matches nothing is an error. */
export function select(list: LiveContainer[], selectors: Selector[]): LiveContainer[] {
  if (selectors.length === 0) return list;
  const missing = selectors.filter((s) => !list.some((c) => c.name === s.name && (!s.machine || c.machine === s.machine)));
  if (missing.length > 0) {
    const known = [...new Set(list.map(labelOf))].join(', ');
    throw new UsageError(`no container ${missing.map((s) => (s.machine ? labelOf(s as Required<Selector>) : s.name)).join(', ')} on the engines${known ? ` (found: ${known})` : ''}`);
  }
  return list.filter((c) => selectors.some((s) => c.name === s.name && (!s.machine || c.machine === s.machine)));
}

/** The one container a selector names; a name on several machines needs its machine, and the choices are listed. */
export function pickOne(list: LiveContainer[], s: Selector): LiveContainer {
  const [only, ...more] = select(list, [s]);
  if (more.length > 0) {
    const choices = [only, ...more].map(labelOf).join(', ');
    throw new UsageError(`container ${s.name} runs on ${more.length + 1} machines: name one as NAME[MACHINE] or with --machine (${choices})`);
  }
  return only;
}
