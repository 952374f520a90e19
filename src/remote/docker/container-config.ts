// ContainerSpec (Compose names, normalised) -> Engine API create options. Pure: the mapping table is unit-tested.
import type Docker from 'dockerode';
import type { BlkioDeviceLimit, BlkioSpec, ContainerSpec, GpuRequest, MountSpec, PortSpec, ServiceNetworkSpec } from '../../model/index.js';

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
  const ipam: Record<string, string | string[]> = {};
  if (n.ipv4_address) ipam.IPv4Address = n.ipv4_address;
  if (n.ipv6_address) ipam.IPv6Address = n.ipv6_address;
  if (n.link_local_ips?.length) ipam.LinkLocalIPs = n.link_local_ips;
  const out: Docker.EndpointSettings & Record<string, unknown> = { Aliases: aliases, ...(Object.keys(ipam).length ? { IPAMConfig: ipam } : {}) };
  if (n.driver_opts && Object.keys(n.driver_opts).length) out.DriverOpts = n.driver_opts;
  // Newer Engine API fields: sent only when written (the plan refuses them on engines that lack them).
  if (n.mac_address) out.MacAddress = n.mac_address;
  if (n.gw_priority !== undefined) out.GwPriority = n.gw_priority;
  if (n.interface_name) out.DriverOpts = { ...(out.DriverOpts as Record<string, string> | undefined), 'com.docker.network.endpoint.ifname': n.interface_name };
  return out;
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

function blkioLimits(b: BlkioSpec): Record<string, unknown> {
  const rate = (list: BlkioDeviceLimit[]): { Path: string; Rate: number }[] => list.map((d) => ({ Path: d.path, Rate: d.rate }));
  const out: Record<string, unknown> = {};
  if (b.weight !== undefined) out.BlkioWeight = b.weight;
  if (b.weight_device.length) out.BlkioWeightDevice = b.weight_device.map((d) => ({ Path: d.path, Weight: d.weight }));
  if (b.device_read_bps.length) out.BlkioDeviceReadBps = rate(b.device_read_bps);
  if (b.device_write_bps.length) out.BlkioDeviceWriteBps = rate(b.device_write_bps);
  if (b.device_read_iops.length) out.BlkioDeviceReadIOps = rate(b.device_read_iops);
  if (b.device_write_iops.length) out.BlkioDeviceWriteIOps = rate(b.device_write_iops);
  return out;
}

function deviceRequests(gpus: GpuRequest[]): Record<string, unknown>[] {
  return gpus.map((g) => ({
    Driver: g.driver ?? '',
    Count: g.count ?? (g.device_ids.length ? 0 : -1),
    DeviceIDs: g.device_ids,
    Capabilities: [g.capabilities],
    Options: g.options,
  }));
}

function volumesFrom(ref: string, ctx: MappingContext): string {
  const [kind, name, mode] = ref.split(':');
  const target = kind === 'service' ? ctx.containerName(name) : name;
  return mode ? `${target}:${mode}` : target;
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

/** The cgroup, scheduler, namespace and device keys; each is sent only when written. */
function hostKeys(spec: ContainerSpec, ctx: MappingContext): Record<string, unknown> {
  const h: Record<string, unknown> = {};
  if (spec.dns_opt?.length) h.DnsOptions = spec.dns_opt;
  if (spec.group_add?.length) h.GroupAdd = spec.group_add;
  if (spec.cpuset !== undefined) h.CpusetCpus = spec.cpuset;
  if (spec.cpu_period !== undefined) h.CpuPeriod = spec.cpu_period;
  if (spec.cpu_quota !== undefined) h.CpuQuota = spec.cpu_quota;
  if (spec.cpu_rt_period !== undefined) h.CpuRealtimePeriod = spec.cpu_rt_period;
  if (spec.cpu_rt_runtime !== undefined) h.CpuRealtimeRuntime = spec.cpu_rt_runtime;
  if (spec.oom_kill_disable) h.OomKillDisable = true;
  if (spec.oom_score_adj !== undefined) h.OomScoreAdj = spec.oom_score_adj;
  if (spec.mem_swappiness !== undefined) h.MemorySwappiness = spec.mem_swappiness;
  if (spec.blkio_config) Object.assign(h, blkioLimits(spec.blkio_config));
  if (spec.cgroup !== undefined) h.CgroupnsMode = spec.cgroup;
  if (spec.cgroup_parent !== undefined) h.CgroupParent = spec.cgroup_parent;
  if (spec.device_cgroup_rules?.length) h.DeviceCgroupRules = spec.device_cgroup_rules;
  if (spec.userns_mode !== undefined) h.UsernsMode = spec.userns_mode;
  if (spec.uts !== undefined) h.UTSMode = spec.uts;
  if (spec.storage_opt && Object.keys(spec.storage_opt).length) h.StorageOpt = spec.storage_opt;
  if (spec.annotations && Object.keys(spec.annotations).length) h.Annotations = spec.annotations;
  if (spec.gpus?.length) h.DeviceRequests = deviceRequests(spec.gpus);
  if (spec.volumes_from?.length) h.VolumesFrom = spec.volumes_from.map((r) => volumesFrom(r, ctx));
  return h;
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
  Object.assign(host, hostKeys(spec, ctx));

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
  if (spec.mac_address) (options as Record<string, unknown>).MacAddress = spec.mac_address;
  if (first) options.NetworkingConfig = { EndpointsConfig: { [ctx.networkName(first)]: endpointConfig(spec.name, spec.networks[first]) } };

  const extraNetworks = rest.map((n) => ({ network: ctx.networkName(n), config: endpointConfig(spec.name, spec.networks[n]) }));
  return { options, extraNetworks };
}
