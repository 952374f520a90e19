// ContainerSpec (Compose names, normalised) -> Engine API create options. Pure: the mapping table is unit-tested.
import type Docker from 'dockerode';
import type { ContainerSpec, MountSpec, PortSpec, ServiceNetworkSpec } from '../../model/index.js';

import { mfileLabels } from '../../model/labels.js';

export interface MappingContext {
  project: string;
  machine: string;
  configHash: string;
  /** The container's engine name. */
  engineName: string;
  /** Engine name of a network as written in machines.yml (project-scoped unless external). */
  networkName: (name: string) => string;
  /** Engine name of a named volume as written in machines.yml (project-scoped unless external). */
  volumeName: (name: string) => string;
  /** Engine name of another container of the project (for network_mode service:NAME). */
  containerName: (name: string) => string;
}

export interface ExtraNetwork {
  network: string;
  config: Docker.EndpointSettings;
}

export interface CreatePlan {
  options: Docker.ContainerCreateOptions & { platform?: string };
  /** Networks beyond the first, connected after create and before start. */
  extraNetworks: ExtraNetwork[];
}

const sortedEntries = <T>(o: Record<string, T>): [string, T][] => Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

function portKey(target: number | string, protocol: string): string {
  return `${target}/${protocol}`;
}

function exposeKey(expose: string): string {
  return expose.includes('/') ? expose : `${expose}/tcp`;
}

function mapPorts(ports: PortSpec[], expose: string[]): { exposed: Record<string, object>; bindings: Record<string, { HostIp: string; HostPort: string }[]> } {
  const exposed: Record<string, object> = {};
  const bindings: Record<string, { HostIp: string; HostPort: string }[]> = {};
  for (const e of expose) exposed[exposeKey(e)] = {};
  for (const p of ports) {
    const key = portKey(p.target, p.protocol);
    exposed[key] = {};
    (bindings[key] ??= []).push({ HostIp: p.host_ip ?? '', HostPort: p.published ?? '' });
  }
  return { exposed, bindings };
}

function mapMounts(volumes: MountSpec[], ctx: MappingContext): { binds: string[]; mounts: Docker.MountSettings[] } {
  const binds: string[] = [];
  const mounts: Docker.MountSettings[] = [];
  for (const v of volumes) {
    if (v.type === 'bind' && v.bind?.create_host_path !== false) {
      // Binds (not Mounts) so a missing host path is created, as Compose does by default.
      const opts = [v.read_only ? 'ro' : 'rw', ...(v.bind?.propagation ? [v.bind.propagation] : [])];
      binds.push(`${v.source}:${v.target}:${opts.join(',')}`);
    } else if (v.type === 'bind') {
      mounts.push({ Type: 'bind', Source: v.source ?? '', Target: v.target, ReadOnly: v.read_only, ...(v.bind?.propagation ? { BindOptions: { Propagation: v.bind.propagation as 'private' } } : {}) });
    } else if (v.type === 'volume') {
      mounts.push({
        Type: 'volume',
        ...(v.source ? { Source: ctx.volumeName(v.source) } : {}),
        Target: v.target,
        ReadOnly: v.read_only,
        ...(v.volume?.nocopy ? { VolumeOptions: { NoCopy: true } } : {}),
      } as Docker.MountSettings);
    } else {
      const tmpfs: Record<string, number> = {};
      if (v.tmpfs?.size !== undefined) tmpfs.SizeBytes = v.tmpfs.size;
      if (v.tmpfs?.mode !== undefined) tmpfs.Mode = v.tmpfs.mode;
      mounts.push({ Type: 'tmpfs', Target: v.target, ReadOnly: v.read_only, ...(Object.keys(tmpfs).length ? { TmpfsOptions: tmpfs } : {}) } as Docker.MountSettings);
    }
  }
  return { binds, mounts };
}

function endpointConfig(serviceName: string, n: ServiceNetworkSpec): Docker.EndpointSettings {
  const aliases = [...new Set([serviceName, ...n.aliases])];
  const ipam: Record<string, string> = {};
  if (n.ipv4_address) ipam.IPv4Address = n.ipv4_address;
  if (n.ipv6_address) ipam.IPv6Address = n.ipv6_address;
  return { Aliases: aliases, ...(Object.keys(ipam).length ? { IPAMConfig: ipam } : {}) };
}

/** Networks in attach order: higher priority first, then by name (Compose's rule). */
export function networkOrder(networks: Record<string, ServiceNetworkSpec>): string[] {
  return Object.keys(networks).sort((a, b) => (networks[b].priority ?? 0) - (networks[a].priority ?? 0) || (a < b ? -1 : a > b ? 1 : 0));
}

function restartPolicy(restart: string): Docker.HostRestartPolicy {
  const [name, count] = restart.split(':');
  if (name === 'on-failure') return { Name: 'on-failure', MaximumRetryCount: count ? Number(count) : 0 };
  return { Name: name || 'no' };
}

function healthcheck(spec: ContainerSpec): Docker.HealthConfig | undefined {
  const h = spec.healthcheck;
  if (!h) return undefined;
  if (h.disable) return { Test: ['NONE'] };
  const out: Docker.HealthConfig & { StartInterval?: number } = { Test: h.test };
  if (h.interval !== undefined) out.Interval = h.interval;
  if (h.timeout !== undefined) out.Timeout = h.timeout;
  if (h.start_period !== undefined) out.StartPeriod = h.start_period;
  if (h.start_interval !== undefined) out.StartInterval = h.start_interval;
  if (h.retries !== undefined) out.Retries = h.retries;
  return out;
}

function device(d: string): { PathOnHost: string; PathInContainer: string; CgroupPermissions: string } {
  const [host, inContainer, perms] = d.split(':');
  return { PathOnHost: host, PathInContainer: inContainer ?? host, CgroupPermissions: perms ?? 'rwm' };
}

function tmpfsMap(list: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of list) {
    const i = t.indexOf(':');
    if (i < 0) out[t] = '';
    else out[t.slice(0, i)] = t.slice(i + 1);
  }
  return out;
}

/** Compose allows `host=ip` as well as `host:ip`; the engine takes `host:ip`. */
function extraHost(h: string): string {
  const eq = h.indexOf('=');
  return eq >= 0 ? `${h.slice(0, eq)}:${h.slice(eq + 1)}` : h;
}

function networkMode(mode: string, ctx: MappingContext): string {
  if (mode.startsWith('service:')) return `container:${ctx.containerName(mode.slice('service:'.length))}`;
  return mode;
}

export function containerCreateOptions(spec: ContainerSpec, ctx: MappingContext): CreatePlan {
  const { exposed, bindings } = mapPorts(spec.ports, spec.expose);
  const { binds, mounts } = mapMounts(spec.volumes, ctx);
  const env = sortedEntries(spec.environment).map(([k, v]) => `${k}=${v}`);
  const order = spec.network_mode ? [] : networkOrder(spec.networks);
  const [first, ...rest] = order;

  const host: Docker.HostConfig & Record<string, unknown> = {
    RestartPolicy: restartPolicy(spec.restart),
    ReadonlyRootfs: spec.read_only,
    Privileged: spec.privileged,
  };
  if (Object.keys(bindings).length) host.PortBindings = bindings;
  if (binds.length) host.Binds = binds;
  if (mounts.length) host.Mounts = mounts;
  if (spec.tmpfs.length) host.Tmpfs = tmpfsMap(spec.tmpfs);
  if (spec.network_mode) host.NetworkMode = networkMode(spec.network_mode, ctx);
  else if (first) host.NetworkMode = ctx.networkName(first);
  if (spec.mem_limit !== undefined) host.Memory = spec.mem_limit;
  if (spec.memswap_limit !== undefined) host.MemorySwap = spec.memswap_limit;
  if (spec.mem_reservation !== undefined) host.MemoryReservation = spec.mem_reservation;
  if (spec.cpus !== undefined) host.NanoCpus = Math.round(spec.cpus * 1e9);
  if (spec.cpu_shares !== undefined) host.CpuShares = spec.cpu_shares;
  if (spec.pids_limit !== undefined) host.PidsLimit = spec.pids_limit;
  const ulimits = sortedEntries(spec.ulimits);
  if (ulimits.length) host.Ulimits = ulimits.map(([Name, u]) => ({ Name, Soft: u.soft, Hard: u.hard }));
  if (spec.cap_add.length) host.CapAdd = spec.cap_add;
  if (spec.cap_drop.length) host.CapDrop = spec.cap_drop;
  if (spec.security_opt.length) host.SecurityOpt = spec.security_opt;
  if (spec.devices.length) host.Devices = spec.devices.map(device);
  if (Object.keys(spec.sysctls).length) host.Sysctls = spec.sysctls;
  if (spec.shm_size !== undefined) host.ShmSize = spec.shm_size;
  if (spec.logging?.driver || (spec.logging && Object.keys(spec.logging.options).length)) {
    host.LogConfig = { Type: spec.logging.driver ?? '', Config: spec.logging.options };
  }
  if (spec.extra_hosts.length) host.ExtraHosts = spec.extra_hosts.map(extraHost);
  if (spec.dns.length) host.Dns = spec.dns;
  if (spec.dns_search.length) host.DnsSearch = spec.dns_search;
  if (spec.init) host.Init = true;
  if (spec.pid) host.PidMode = spec.pid;
  if (spec.ipc) host.IpcMode = spec.ipc;
  if (spec.runtime) host.Runtime = spec.runtime;

  const options: CreatePlan['options'] = {
    name: ctx.engineName,
    Image: spec.image,
    Env: env,
    Labels: { ...spec.labels, ...mfileLabels(ctx.project, ctx.machine, spec.name, ctx.configHash) },
    Tty: spec.tty,
    OpenStdin: spec.stdin_open,
    AttachStdin: false,
    AttachStdout: false,
    AttachStderr: false,
    HostConfig: host,
  };
  if (spec.command) options.Cmd = spec.command;
  if (spec.entrypoint) options.Entrypoint = spec.entrypoint;
  if (Object.keys(exposed).length) options.ExposedPorts = exposed;
  const hc = healthcheck(spec);
  if (hc) options.Healthcheck = hc;
  if (spec.user !== undefined) options.User = spec.user;
  if (spec.working_dir !== undefined) options.WorkingDir = spec.working_dir;
  if (spec.hostname !== undefined) options.Hostname = spec.hostname;
  if (spec.domainname !== undefined) options.Domainname = spec.domainname;
  if (spec.stop_signal !== undefined) options.StopSignal = spec.stop_signal;
  if (spec.stop_grace_period !== undefined) options.StopTimeout = Math.ceil(spec.stop_grace_period / 1e9);
  if (spec.platform) options.platform = spec.platform;
  if (first) options.NetworkingConfig = { EndpointsConfig: { [ctx.networkName(first)]: endpointConfig(spec.name, spec.networks[first]) } };

  const extraNetworks = rest.map((n) => ({ network: ctx.networkName(n), config: endpointConfig(spec.name, spec.networks[n]) }));
  return { options, extraNetworks };
}
