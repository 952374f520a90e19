// Observe once: per machine, the driver's status and one list call per kind on its engine (engines in parallel).
import type { Desired, Observed, ObservedContainer, ObservedMachine, State } from '../model/index.js';
import { driverFor } from '../drivers/registry.js';
import type { Connections } from './connections.js';
import { driverContext, type ConnectionOptions } from './connections.js';
import { LABEL_PROJECT } from '../model/labels.js';
import { engineVersion } from '../remote/docker/client.js';
import { engineMessage } from '../remote/docker/errors.js';
import { localSwarm } from '../remote/docker/swarm-api.js';
import { observeSwarm } from './swarm-refresh.js';

export interface RefreshOptions extends Pick<ConnectionOptions, 'stateDir'> {
  /** false: skip all I/O; the planner then trusts the prior state. */
  refresh?: boolean;
  signal?: AbortSignal;
  /** Per engine call; an engine that does not answer in time is reported as error. */
  timeoutMs?: number;
}

function health(status: string): ObservedContainer['health'] {
  if (status.includes('(healthy)')) return 'healthy';
  if (status.includes('(unhealthy)')) return 'unhealthy';
  if (status.includes('(health: starting)')) return 'starting';
  return undefined;
}

const empty = (name: string, status: ObservedMachine['status'], error?: string): ObservedMachine => ({
  name,
  status,
  ...(error ? { error } : {}),
  containers: [],
  networks: [],
  volumes: [],
  images: [],
});

async function observeMachine(name: string, desired: Desired, prior: State, conns: Connections, opts: RefreshOptions): Promise<ObservedMachine> {
  const spec = conns.spec(name);
  const driver = driverFor(spec.driver);
  const ctx = driverContext(desired, opts);
  const st = await driver.status({ machine: spec, driverData: prior.machines[name]?.driverData ?? {}, ctx }).catch((err: unknown) => ({
    status: 'error' as const,
    detail: engineMessage(err),
  }));
  if (st.status !== 'running') return empty(name, st.status, st.detail ? `${name}: ${st.detail}` : undefined);

  const signal = (): AbortSignal => {
    const t = AbortSignal.timeout(opts.timeoutMs ?? 20_000);
    return opts.signal ? AbortSignal.any([t, opts.signal]) : t;
  };
  const filters = { label: [`${LABEL_PROJECT}=${desired.project}`] };
  try {
    const docker = await conns.docker(name);
    const [containers, networks, volumes, images, version, swarm] = await Promise.all([
      docker.listContainers({ all: true, filters, abortSignal: signal() }),
      docker.listNetworks({ filters, abortSignal: signal() } as object),
      docker.listVolumes({ filters, abortSignal: signal() } as object),
      // Images carry no mfile label (pulled or loaded as they are): list them all for pull_policy decisions.
      docker.listImages({ abortSignal: signal() } as object),
      engineVersion(docker, signal()),
      localSwarm(docker, signal()),
    ]);
    return {
      name,
      status: 'running',
      dockerVersion: version.Version,
      swarm,
      containers: containers
        .map((c) => {
          const h = health(c.Status);
          const exit = /^Exited \((-?\d+)\)/.exec(c.Status);
          return {
            id: c.Id,
            name: (c.Names[0] ?? '').replace(/^\//, ''),
            labels: c.Labels ?? {},
            state: c.State,
            ...(exit ? { exitCode: Number(exit[1]) } : {}),
            ...(h ? { health: h } : {}),
            imageId: c.ImageID,
            image: c.Image,
          };
        })
        .sort((a, b) => (a.name < b.name ? -1 : 1)),
      networks: networks.map((n) => ({ id: n.Id, name: n.Name, labels: n.Labels ?? {} })).sort((a, b) => (a.name < b.name ? -1 : 1)),
      volumes: (volumes.Volumes ?? []).map((v) => ({ name: v.Name, labels: (v.Labels as Record<string, string> | null) ?? {} })).sort((a, b) => (a.name < b.name ? -1 : 1)),
      images: images.map((i) => ({ id: i.Id, repoTags: i.RepoTags ?? [], repoDigests: i.RepoDigests ?? [] })),
    };
  } catch (err) {
    return { ...empty(name, 'error', `${name}: engine unreachable: ${engineMessage(err)}`), engineDown: true };
  }
}

/** Machines to look at: every machine in machines.yml and every machine the state still holds. */
export function machinesOf(desired: Desired, prior: State): string[] {
  return [...new Set([...Object.keys(desired.machines), ...Object.keys(prior.machines)])].sort();
}

export async function refresh(desired: Desired, prior: State, conns: Connections, opts: RefreshOptions = {}): Promise<Observed> {
  if (opts.refresh === false) return { refreshed: false, machines: {} };
  // A machine held stopped (mfile stop/kill) is not looked at: apply leaves it as it is until mfile start.
  const names = machinesOf(desired, prior).filter((n) => !prior.machines[n]?.hold);
  const observed = await Promise.all(names.map((n) => observeMachine(n, desired, prior, conns, opts)));
  const machines = Object.fromEntries(observed.map((m) => [m.name, m]));
  const signal = (): AbortSignal => (opts.signal ? AbortSignal.any([AbortSignal.timeout(opts.timeoutMs ?? 20_000), opts.signal]) : AbortSignal.timeout(opts.timeoutMs ?? 20_000));
  const swarm = await observeSwarm(desired, prior, conns, machines, signal);
  return { refreshed: true, machines, ...(swarm ? { swarm } : {}) };
}
