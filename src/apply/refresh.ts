// Observe once: per machine, the driver's status and one list call per kind on its engine (engines in parallel).
import type { Desired, Observed, ObservedContainer, ObservedMachine, State } from '../model/index.js';
import { driverFor } from '../drivers/registry.js';
import type { Connections } from './connections.js';
import { driverContext, type ConnectionOptions } from './connections.js';
import { LABEL_PROJECT } from '../model/labels.js';
import { engineInfo, engineVersion, type EngineInfo } from '../remote/docker/client.js';
import { canonicalJson, type EngineFacts } from '../model/index.js';
import { engineMessage } from '../remote/docker/errors.js';
import { lookUpTags } from './tag-lookup.js';
import { swarmOfInfo } from '../remote/docker/swarm-api.js';
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

function engineFacts(apiVersion: string, info: EngineInfo): EngineFacts {
  return {
    apiVersion,
    ...(info.CgroupVersion ? { cgroupVersion: info.CgroupVersion } : {}),
    oomKillDisable: info.OomKillDisable === true,
    cpuCfsPeriod: info.CpuCfsPeriod === true,
    cpuCfsQuota: info.CpuCfsQuota === true,
    cpuSet: info.CPUSet === true,
    runtimes: Object.keys(info.Runtimes ?? {}).sort(),
  };
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

/**
 * A machine a create may make (no host, no finished record, or options that differ from the record): ask its
 * driver what that create would choose, so the plan can say it and carry it. A probe that fails says nothing.
 */
async function withCreateChoices(m: ObservedMachine, desired: Desired, prior: State, conns: Connections, opts: RefreshOptions): Promise<ObservedMachine> {
  const spec = desired.machines[m.name];
  if (!spec || !spec.traits.createChoices) return m;
  const driver = driverFor(spec.driver);
  const rec = prior.machines[m.name];
  const mayCreate = !rec || rec.status !== 'created' || m.status === 'missing' || rec.driver !== spec.driver || canonicalJson(rec.driverOptions) !== canonicalJson(spec.driverOptions);
  if (!mayCreate || !driver.createChoices) return m;
  const req = { machine: conns.spec(m.name), driverData: rec?.driverData ?? {}, ctx: driverContext(desired, opts) };
  const choices = await driver.createChoices(req).catch(() => undefined);
  return choices ? { ...m, createChoices: choices } : m;
}

async function observeMachine(name: string, desired: Desired, prior: State, conns: Connections, opts: RefreshOptions): Promise<ObservedMachine> {
  return withCreateChoices(await observeHost(name, desired, prior, conns, opts), desired, prior, conns, opts);
}

async function observeHost(name: string, desired: Desired, prior: State, conns: Connections, opts: RefreshOptions): Promise<ObservedMachine> {
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
    // One call after the other, over the engine's one kept-alive connection: at once, each would open its own
    // (a TLS handshake each), and with many machines those handshakes cost more than the calls.
    const version = await engineVersion(docker, signal());
    const labelled = await docker.listContainers({ all: true, filters, abortSignal: signal() });
    const labelledNets = await docker.listNetworks({ filters, abortSignal: signal() } as object);
    const labelledVols = await docker.listVolumes({ filters, abortSignal: signal() } as object);
    // Images carry no mfile label (pulled or loaded as they are): list them all for pull_policy decisions.
    const images = await docker.listImages({ abortSignal: signal() } as object);
    // One /info (the engine's slowest answer) for both the swarm membership and the engine's facts.
    const info = await engineInfo(docker, signal());
    const swarm = swarmOfInfo(info);
    // Objects adopted by `mfile import` carry no labels: the ids their records hold find them.
    const recorded = (kind: string): string[] =>
      Object.values(prior.objects).filter((r) => r.machine === name && r.kind === kind && r.id).map((r) => r.id!);
    const absent = (kind: string, have: string[]): string[] => recorded(kind).filter((id) => !have.includes(id));
    const lostContainers = absent('container', labelled.map((c) => c.Id));
    const lostNets = absent('network', labelledNets.map((n) => n.Id));
    const lostVols = absent('volume', (labelledVols.Volumes ?? []).map((v) => v.Name));
    const [moreContainers, moreNets, moreVols] = await Promise.all([
      lostContainers.length ? docker.listContainers({ all: true, filters: { id: lostContainers }, abortSignal: signal() }) : [],
      lostNets.length ? docker.listNetworks({ filters: { id: lostNets }, abortSignal: signal() } as object) : [],
      lostVols.length ? docker.listVolumes({ filters: { name: lostVols }, abortSignal: signal() } as object) : { Volumes: [] },
    ]);
    // The engine's id and name filters match prefixes and substrings: keep exact matches only.
    const containers = [...labelled, ...moreContainers.filter((c) => lostContainers.includes(c.Id))];
    const networks = [...labelledNets, ...moreNets.filter((n) => lostNets.includes(n.Id))];
    const volumes = { Volumes: [...(labelledVols.Volumes ?? []), ...(moreVols.Volumes ?? []).filter((v) => lostVols.includes(v.Name))] };
    return {
      name,
      status: 'running',
      dockerVersion: version.Version,
      ...(info && version.ApiVersion ? { engine: engineFacts(version.ApiVersion, info) } : {}),
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
      ...(await lookUpTags(docker, name, desired, signal)),
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
  // Without a refresh there is no time either: time-based pull policies are then not checked (the plan says so).
  if (opts.refresh === false) return { refreshed: false, machines: {} };
  const at = new Date().toISOString();
  // A machine held stopped (mfile stop/kill) is not looked at: apply leaves it as it is until mfile start.
  const names = machinesOf(desired, prior).filter((n) => !prior.machines[n]?.hold);
  const observed = await Promise.all(names.map((n) => observeMachine(n, desired, prior, conns, opts)));
  const machines = Object.fromEntries(observed.map((m) => [m.name, m]));
  const signal = (): AbortSignal => (opts.signal ? AbortSignal.any([AbortSignal.timeout(opts.timeoutMs ?? 20_000), opts.signal]) : AbortSignal.timeout(opts.timeoutMs ?? 20_000));
  const swarm = await observeSwarm(desired, prior, conns, machines, signal);
  return { refreshed: true, at, machines, ...(swarm ? { swarm } : {}) };
}
