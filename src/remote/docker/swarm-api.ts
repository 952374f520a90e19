// Swarm calls on one engine, typed for what mfile reads (dockerode's types leave most of them `any`). Every
// call takes an abort signal; a join token passes through here and is never logged or returned.
import type Docker from 'dockerode';
import { LABEL_SERVICE_IMAGE, type ObservedService, type ObservedSwarmLocal, type ObservedSwarmNode, type ObservedSwarmObject, type SwarmRole } from '../../model/swarm.js';

/** Engine replies as JSON: read field by field, each converted where it is used. */
type Any = Record<string, any>;
const sig = (abortSignal: AbortSignal): { abortSignal: AbortSignal } => ({ abortSignal });
const api = (d: Docker): Any => d as unknown as Any;

export async function localSwarm(docker: Docker, signal: AbortSignal): Promise<ObservedSwarmLocal> {
  return swarmOfInfo(await api(docker).info(sig(signal)));
}

/** The engine's own swarm membership, from an answer to /info the caller already has. */
export function swarmOfInfo(info: unknown): ObservedSwarmLocal {
  const s = ((info as Any).Swarm ?? {}) as Any;
  return {
    state: String(s.LocalNodeState ?? 'inactive'),
    ...(s.NodeID ? { nodeId: String(s.NodeID) } : {}),
    ...(s.Cluster?.ID ? { clusterId: String(s.Cluster.ID) } : {}),
    isManager: s.ControlAvailable === true,
    ...(s.NodeAddr ? { addr: String(s.NodeAddr) } : {}),
  };
}

export async function swarmDefaultPool(docker: Docker, signal: AbortSignal): Promise<string[]> {
  const info = (await api(docker).info(sig(signal))) as Any;
  return ((info.Swarm?.Cluster?.DefaultAddrPool as string[] | undefined) ?? []).slice();
}

export async function listNodes(docker: Docker, signal: AbortSignal): Promise<ObservedSwarmNode[]> {
  const nodes = (await api(docker).listNodes(sig(signal))) as Any[];
  return nodes.map((n) => ({
    id: String(n.ID),
    hostname: String(n.Description?.Hostname ?? ''),
    addr: String(n.Status?.Addr ?? ''),
    role: (n.Spec?.Role === 'manager' ? 'manager' : 'worker') as SwarmRole,
    availability: String(n.Spec?.Availability ?? ''),
    state: String(n.Status?.State ?? 'unknown'),
  }));
}

const CONTENT_ID = /^sha256:[0-9a-f]{64}$/;

/** The image a service runs, by name: mfile runs it by content id and keeps the name in a label. */
function serviceImage(image: unknown, labels: Record<string, string> | undefined): string {
  const spec = String(image ?? '');
  const named = labels?.[LABEL_SERVICE_IMAGE];
  return CONTENT_ID.test(spec) && named ? named : spec;
}

/** Services carrying the project's label, with how many of their tasks run. */
export async function listProjectServices(docker: Docker, labelFilter: string, signal: AbortSignal): Promise<ObservedService[]> {
  const services = (await api(docker).listServices({ filters: { label: [labelFilter] }, ...sig(signal) })) as Any[];
  const tasks = services.length ? ((await api(docker).listTasks({ filters: { 'desired-state': ['running'] }, ...sig(signal) })) as Any[]) : [];
  return services.map((s) => {
    const running = tasks.filter((t) => t.ServiceID === s.ID && t.Status?.State === 'running').length;
    return {
      id: String(s.ID),
      name: String(s.Spec?.Name ?? ''),
      version: Number(s.Version?.Index ?? 0),
      labels: (s.Spec?.Labels as Record<string, string> | undefined) ?? {},
      image: serviceImage(s.Spec?.TaskTemplate?.ContainerSpec?.Image, s.Spec?.Labels),
      ...(s.Spec?.Mode?.Replicated ? { replicas: Number(s.Spec.Mode.Replicated.Replicas ?? 0) } : {}),
      running,
      ...(s.UpdateStatus?.State ? { updateState: String(s.UpdateStatus.State) } : {}),
      ...(s.UpdateStatus?.Message ? { updateMessage: String(s.UpdateStatus.Message) } : {}),
    };
  });
}

export async function listSwarmObjects(docker: Docker, kind: 'network' | 'secret' | 'config', labelFilter: string, signal: AbortSignal): Promise<ObservedSwarmObject[]> {
  const filters = { label: [labelFilter], ...(kind === 'network' ? { scope: ['swarm'] } : {}) };
  const call = kind === 'network' ? 'listNetworks' : kind === 'secret' ? 'listSecrets' : 'listConfigs';
  const list = (await api(docker)[call]({ filters, ...sig(signal) })) as Any[];
  return list
    .map((o) => ({ id: String(o.ID ?? o.Id), name: String(o.Spec?.Name ?? o.Name), labels: (o.Spec?.Labels ?? o.Labels ?? {}) as Record<string, string> }))
    .sort((a, b) => (a.name < b.name ? -1 : 1));
}

/** What a machine needs from a manager to join: the join tokens, and the pool its address must stay out of. */
export async function joinInfo(docker: Docker, signal: AbortSignal): Promise<{ tokens: { worker: string; manager: string }; defaultAddrPool: string[] }> {
  const s = (await api(docker).swarmInspect(sig(signal))) as Any;
  return {
    tokens: { worker: String(s.JoinTokens?.Worker ?? ''), manager: String(s.JoinTokens?.Manager ?? '') },
    defaultAddrPool: ((s.DefaultAddrPool as string[] | undefined) ?? []).slice(),
  };
}

export function swarmInit(docker: Docker, opts: { advertise: string; pool: string[]; subnetSize: number }, signal: AbortSignal): Promise<unknown> {
  return api(docker).swarmInit({ ListenAddr: '0.0.0.0:2377', AdvertiseAddr: opts.advertise, DefaultAddrPool: opts.pool, SubnetSize: opts.subnetSize, ...sig(signal) });
}

export function swarmJoin(docker: Docker, opts: { advertise: string; remote: string; token: string }, signal: AbortSignal): Promise<unknown> {
  return api(docker).swarmJoin({ ListenAddr: '0.0.0.0:2377', AdvertiseAddr: opts.advertise, RemoteAddrs: [opts.remote], JoinToken: opts.token, ...sig(signal) });
}

export function swarmLeave(docker: Docker, force: boolean, signal: AbortSignal): Promise<unknown> {
  return api(docker).swarmLeave({ force, ...sig(signal) });
}

/** Changes a node's spec (availability, role) at its current version. */
export async function updateNode(docker: Docker, id: string, change: { Availability?: string; Role?: string }, signal: AbortSignal): Promise<void> {
  const node = api(docker).getNode(id);
  // The node's version also moves with its status (heartbeats, task changes): read it again when it moved.
  for (let attempt = 1; ; attempt++) {
    const cur = (await node.inspect(sig(signal))) as Any;
    try {
      await node.update({ version: cur.Version.Index, ...cur.Spec, ...change, ...sig(signal) });
      return;
    } catch (err) {
      if (attempt >= 10 || !/update out of sequence/.test(String((err as Error).message))) throw err;
    }
  }
}

export async function removeNode(docker: Docker, id: string, signal: AbortSignal): Promise<void> {
  await api(docker).getNode(id).remove({ force: true, ...sig(signal) });
}

export async function nodeState(docker: Docker, id: string, signal: AbortSignal): Promise<string> {
  const n = (await api(docker).getNode(id).inspect(sig(signal))) as Any;
  return String(n.Status?.State ?? 'unknown');
}

/**
 * The role a node holds, not the one asked for: its raft seat (ManagerStatus) and the role the managers have
 * observed, which is what `docker node ls --filter role=...` lists and which follows the seat by a moment.
 */
export async function nodeHeldRole(docker: Docker, id: string, signal: AbortSignal): Promise<'manager' | 'worker' | 'changing'> {
  const [n, managers] = await Promise.all([
    api(docker).getNode(id).inspect(sig(signal)) as Promise<Any>,
    api(docker).listNodes({ filters: { role: ['manager'] }, ...sig(signal) }) as Promise<Any[]>,
  ]);
  const reach = n.ManagerStatus?.Reachability as string | undefined;
  const listedAsManager = managers.some((m) => m.ID === id);
  if (reach === undefined) return listedAsManager ? 'changing' : 'worker';
  return reach === 'reachable' && listedAsManager ? 'manager' : 'changing';
}

export async function runningTasksOnNode(docker: Docker, id: string, signal: AbortSignal): Promise<number> {
  const tasks = (await api(docker).listTasks({ filters: { node: [id], 'desired-state': ['running'] }, ...sig(signal) })) as Any[];
  return tasks.length;
}

export interface ServiceView {
  id: string;
  version: number;
  replicas?: number;
  updateState?: string;
  updateMessage?: string;
}

export async function inspectService(docker: Docker, idOrName: string, signal: AbortSignal): Promise<ServiceView> {
  const s = (await api(docker).getService(idOrName).inspect(sig(signal))) as Any;
  return {
    id: String(s.ID),
    version: Number(s.Version?.Index ?? 0),
    ...(s.Spec?.Mode?.Replicated ? { replicas: Number(s.Spec.Mode.Replicated.Replicas ?? 0) } : {}),
    ...(s.UpdateStatus?.State ? { updateState: String(s.UpdateStatus.State) } : {}),
    ...(s.UpdateStatus?.Message ? { updateMessage: String(s.UpdateStatus.Message) } : {}),
  };
}

export interface TaskView {
  state: string;
  desired: string;
  hash?: string;
  error?: string;
  node: string;
}

export async function serviceTasks(docker: Docker, id: string, hashLabel: string, signal: AbortSignal): Promise<TaskView[]> {
  const tasks = (await api(docker).listTasks({ filters: { service: [id] }, ...sig(signal) })) as Any[];
  return tasks.map((t) => ({
    state: String(t.Status?.State ?? ''),
    desired: String(t.DesiredState ?? ''),
    ...(t.Spec?.ContainerSpec?.Labels?.[hashLabel] ? { hash: String(t.Spec.ContainerSpec.Labels[hashLabel]) } : {}),
    ...(t.Status?.Err ? { error: String(t.Status.Err) } : {}),
    node: String(t.NodeID ?? ''),
  }));
}

export async function createService(docker: Docker, spec: Any, signal: AbortSignal): Promise<string> {
  const res = (await api(docker).createService({ ...spec, ...sig(signal) })) as Any;
  return String(res.id ?? res.ID);
}

export async function updateService(docker: Docker, id: string, version: number, spec: Any, signal: AbortSignal): Promise<void> {
  await api(docker).getService(id).update({ version, ...spec, ...sig(signal) });
}

export async function removeService(docker: Docker, id: string, signal: AbortSignal): Promise<void> {
  await api(docker).getService(id).remove(sig(signal));
}

export async function createSwarmObject(docker: Docker, kind: 'network' | 'secret' | 'config', spec: Any, signal: AbortSignal): Promise<string> {
  const call = kind === 'network' ? 'createNetwork' : kind === 'secret' ? 'createSecret' : 'createConfig';
  const res = (await api(docker)[call]({ ...spec, ...sig(signal) })) as Any;
  return String(res.id ?? res.ID);
}

export async function removeSwarmObject(docker: Docker, kind: 'network' | 'secret' | 'config', id: string, signal: AbortSignal): Promise<void> {
  const get = kind === 'network' ? 'getNetwork' : kind === 'secret' ? 'getSecret' : 'getConfig';
  await api(docker)[get](id).remove(sig(signal));
}
