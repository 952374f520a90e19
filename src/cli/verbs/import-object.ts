// `mfile import ADDR ID` (Terraform's import): adopt an existing container, network or volume on a machine into
// the state under an address of machines.yml. The object is compared with what the file would create: when they
// match the next plan shows no change; when they differ the record says how, and the next plan shows it.
import path from 'node:path';
import { UsageError } from '../../errors.js';
import type { Desired, ObjectRecord, PlanNode, State } from '../../model/index.js';
import { networkEngineName, volumeEngineName } from '../../model/engine-names.js';
import { LABEL_CONFIG_HASH, LABEL_MACHINE, LABEL_NAME, LABEL_PROJECT, parseAddress, plan as makePlan } from '../../plan/index.js';
import { containerCreateOptions } from '../../remote/docker/container-config.js';
import { liveDifferences, subsetDifferences, type InspectedContainer } from '../../remote/docker/live-compare.js';
import { isNotFound } from '../../remote/docker/errors.js';
import { mappingContext } from '../../apply/steps/common.js';
import { recordAt, StateStore } from '../../state/index.js';
import { connect } from '../connect.js';
import { didYouMeanAddress } from '../near-addresses.js';
import { loadDesired, out, resolveStatePath, warn, type ConfigOptions } from '../common.js';

const OWN_LABELS = [LABEL_PROJECT, LABEL_MACHINE, LABEL_NAME, LABEL_CONFIG_HASH];

interface Adopted {
  id: string;
  /** Differences from machines.yml, one line each; empty when the object matches. */
  differences: string[];
  /** Attributes to record when it differs (networks, volumes: as found, so the plan can name the change). */
  attributes?: Record<string, unknown>;
}

function notFound(kind: string, id: string, machine: string): UsageError {
  return new UsageError(`no ${kind} ${id} on machine ${machine}`);
}

function alreadyManaged(address: string, labels: Record<string, string> | null | undefined, project: string): void {
  const l = labels ?? {};
  if (l[LABEL_PROJECT] === undefined) return;
  const owner = l[LABEL_PROJECT] === project ? `this project as ${l[LABEL_NAME] ?? '?'} on ${l[LABEL_MACHINE] ?? '?'}` : `project ${l[LABEL_PROJECT]}`;
  throw new UsageError(`cannot import into ${address}: the object is already managed by mfile (${owner}); the next plan finds it by its labels`);
}

async function inspectOrFail<T>(call: () => Promise<T>, kind: string, id: string, machine: string): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (isNotFound(err)) throw notFound(kind, id, machine);
    throw err;
  }
}

async function adopt(desired: Desired, node: PlanNode, id: string, docker: Awaited<ReturnType<ReturnType<typeof connect>['docker']>>): Promise<Adopted> {
  const { kind, name, machine, address } = node;
  const want = node.after ?? {};
  if (kind === 'container') {
    const live = await inspectOrFail(() => docker.getContainer(id).inspect(), 'container', id, machine);
    alreadyManaged(address, live.Config.Labels, desired.project);
    const spec = desired.containers[name];
    const create = containerCreateOptions(spec, mappingContext(desired, node, spec));
    return { id: live.Id, differences: liveDifferences(create, live as unknown as InspectedContainer, OWN_LABELS) };
  }
  if (kind === 'network') {
    const live = await inspectOrFail(() => docker.getNetwork(id).inspect(), 'network', id, machine);
    alreadyManaged(address, live.Labels, desired.project);
    const expected = networkEngineName(desired, name);
    if (live.Name !== expected) {
      throw new UsageError(`cannot import network ${live.Name} into ${address}: machines.yml names it ${expected} on the engine; add name: ${live.Name} under networks.${name}`);
    }
    const found = prunedMap({
      driver: live.Driver,
      driver_opts: live.Options,
      internal: live.Internal,
      attachable: live.Attachable,
      enable_ipv6: live.EnableIPv6,
      labels: live.Labels,
      ipam: live.IPAM?.Config?.length ? { config: live.IPAM.Config.map((c) => prunedMap({ subnet: c.Subnet, gateway: c.Gateway, ip_range: c.IPRange })) } : undefined,
    });
    return { id: live.Id, differences: subsetDifferences(found, want), attributes: found };
  }
  const live = await inspectOrFail(() => docker.getVolume(id).inspect(), 'volume', id, machine);
  alreadyManaged(address, live.Labels, desired.project);
  const expected = volumeEngineName(desired, name);
  if (live.Name !== expected) {
    throw new UsageError(`cannot import volume ${live.Name} into ${address}: machines.yml names it ${expected} on the engine; add name: ${live.Name} under volumes.${name}`);
  }
  const found = prunedMap({ driver: live.Driver, driver_opts: live.Options ?? undefined, labels: live.Labels ?? undefined });
  return { id: live.Name, differences: subsetDifferences(found, want), attributes: found };
}

function prunedMap(o: Record<string, unknown>): Record<string, unknown> {
  const isEmpty = (v: unknown): boolean => v === undefined || v === null || v === false || (typeof v === 'object' && Object.keys(v as object).length === 0);
  return Object.fromEntries(Object.entries(o).filter(([, v]) => !isEmpty(v)));
}

/** The plan node machines.yml makes at `address` (planned from the state alone), or a one-line refusal. */
function nodeFor(desired: Desired, state: State, address: string): PlanNode {
  const a = parseAddress(address);
  if (!a || a.instance !== undefined) throw new UsageError(`${address} is not an address (expected container.NAME[MACHINE], network.NAME[MACHINE] or volume.NAME[MACHINE])`);
  if (a.kind !== 'container' && a.kind !== 'network' && a.kind !== 'volume') {
    throw new UsageError(`${address}: mfile import adopts containers, networks and volumes; a machine is declared in machines.yml (driver generic or none adopts an existing host)`);
  }
  const planned = makePlan(desired, state, { refreshed: false, machines: {} });
  const candidates = planned.nodes.filter((n) => n.kind === a.kind && n.action !== 'delete');
  const node = candidates.find((n) => n.address === address);
  if (!node) throw new UsageError(`${address} is not in machines.yml${didYouMeanAddress(address, candidates.map((n) => n.address))}`);
  return node;
}

export async function importObject(address: string, id: string, opts: ConfigOptions): Promise<void> {
  const desired = await loadDesired(opts);
  const statePath = resolveStatePath(opts);
  const store = new StateStore(statePath);
  const lock = await store.lock('import', { notice: warn });
  const state = await store.read();
  const conns = connect(desired, { current: state }, statePath);
  let differences: string[];
  try {
    const have = recordAt(state, address);
    if (have) throw new UsageError(`${address} is already managed${'id' in have && have.id ? ` (id ${have.id.slice(0, 12)})` : ''}; forget it first with mfile state rm ${address}`);
    const node = nodeFor(desired, state, address);
    const taken = Object.values(state.objects).find((r) => r.machine === node.machine && r.kind === node.kind && r.id !== undefined && (r.id === id || r.id.startsWith(id)));
    if (taken) throw new UsageError(`cannot import ${id} into ${address}: it is already managed as ${taken.address}`);
    const docker = await conns.docker(node.machine);
    const found = await adopt(desired, node, id, docker);
    differences = found.differences;
    const rec: ObjectRecord = {
      address,
      kind: node.kind as ObjectRecord['kind'],
      machine: node.machine,
      name: node.name,
      id: found.id,
      // The planned hash only when it matches: an imported object carries no config-hash label to compare.
      configHash: differences.length ? 'imported' : node.configHash,
      status: 'created',
      attributes: differences.length && found.attributes ? found.attributes : (node.after ?? {}),
      ...(differences.length && node.kind === 'container' ? { importDiff: differences } : {}),
      updatedAt: new Date().toISOString(),
    };
    state.objects[address] = rec;
    await store.write(state);
  } finally {
    await conns.closeAll().catch(() => undefined);
    await lock.release();
  }
  out(`Imported ${id} as ${address} (state ${path.relative(process.cwd(), statePath) || statePath}).`);
  if (differences.length === 0) out('It matches machines.yml: the next plan shows no change for it.');
  else {
    out(`It differs from machines.yml; the next plan shows how${address.startsWith('container.') ? ' and replaces it' : ''}:`);
    for (const d of differences) out(`  ${d}`);
  }
}
