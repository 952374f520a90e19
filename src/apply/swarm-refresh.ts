// Refresh for swarm mode: one manager of the project's swarm is asked for its nodes, services (with running
// task counts), overlay networks, secrets and configs, so drift (scaled by hand, a node gone) shows in the plan.
import type { Desired, ObservedMachine, ObservedSwarm, State } from '../model/index.js';
import { LABEL_PROJECT } from '../model/labels.js';
import { listNodes, listProjectServices, listSwarmObjects, swarmDefaultPool } from '../remote/docker/swarm-api.js';
import type { Connections } from './connections.js';

/** The manager to ask: a declared manager first, then the one the state remembers, then any active manager. */
function pickManager(desired: Desired, prior: State, machines: Record<string, ObservedMachine>): string | undefined {
  const active = (m: string): boolean => machines[m]?.swarm?.state === 'active' && machines[m]?.swarm?.isManager === true;
  const declared = (desired.swarm?.roles ?? []).filter((r) => r.role === 'manager').map((r) => r.machine);
  return declared.find(active) ?? (prior.swarm?.manager && active(prior.swarm.manager) ? prior.swarm.manager : undefined) ?? Object.keys(machines).sort().find(active);
}

export async function observeSwarm(
  desired: Desired,
  prior: State,
  conns: Connections,
  machines: Record<string, ObservedMachine>,
  signal: () => AbortSignal,
): Promise<ObservedSwarm | undefined> {
  const manager = pickManager(desired, prior, machines);
  if (!manager) return undefined;
  const docker = await conns.docker(manager);
  const label = `${LABEL_PROJECT}=${desired.project}`;
  const [nodes, services, networks, secrets, configs, pool] = await Promise.all([
    listNodes(docker, signal()),
    listProjectServices(docker, label, signal()),
    listSwarmObjects(docker, 'network', label, signal()),
    listSwarmObjects(docker, 'secret', label, signal()),
    listSwarmObjects(docker, 'config', label, signal()),
    swarmDefaultPool(docker, signal()),
  ]);
  for (const n of nodes) {
    const m = Object.values(machines).find((o) => o.swarm?.nodeId === n.id);
    if (m) n.machine = m.name;
  }
  return { manager, clusterId: machines[manager].swarm!.clusterId ?? '', defaultAddrPool: pool, nodes, services, networks, secrets, configs };
}
