// The Compose service keys that map one to one onto the Engine's HostConfig (cgroups, CPU scheduler, block IO,
// namespaces, GPUs, label files, long-form devices): read into ContainerSpec with sizes in bytes and the
// scheduler periods in microseconds, as the Engine API takes them.
import { readFileSync } from 'node:fs';
import type { BlkioDeviceLimit, BlkioSpec, ContainerSpec, GpuRequest } from '../model/desired.js';
import { localPath, obj, report, type Context, type Raw } from './context.js';
import { parseEnvFile } from './env-file.js';
import { pathToString, type Path } from './path-text.js';
import { listOrDict, parseDuration, parseSize, stringMap, toList } from './units.js';

type HostKeys = Pick<
  ContainerSpec,
  | 'dns_opt' | 'group_add' | 'cpuset' | 'cpu_period' | 'cpu_quota' | 'cpu_rt_period' | 'cpu_rt_runtime' | 'oom_kill_disable'
  | 'oom_score_adj' | 'mem_swappiness' | 'blkio_config' | 'cgroup' | 'cgroup_parent' | 'device_cgroup_rules' | 'userns_mode'
  | 'uts' | 'mac_address' | 'storage_opt' | 'annotations' | 'gpus' | 'volumes_from'
>;

function fail(ctx: Context, path: Path, message: string): void {
  report(ctx, path, `${pathToString(path)}: ${message}`);
}

/** Compose takes the real-time scheduler values as microseconds or as a duration. */
function micros(ctx: Context, path: Path, v: unknown): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'number') return v;
  const ns = parseDuration(String(v));
  if (ns === undefined) {
    if (/^[0-9]+$/.test(String(v))) return Number(v);
    fail(ctx, path, `'${String(v)}' must be microseconds or a duration like 950ms`);
    return undefined;
  }
  return Math.round(ns / 1e3);
}

function rates(ctx: Context, path: Path, v: unknown, bytes: boolean): BlkioDeviceLimit[] {
  return ((v as unknown[] | undefined) ?? []).map((item, i) => {
    const d = obj(item);
    const rate = bytes ? parseSize(d.rate as string | number) : Number(d.rate);
    if (rate === undefined || Number.isNaN(rate)) fail(ctx, [...path, i, 'rate'], `'${String(d.rate)}' must be ${bytes ? 'a size like 10m' : 'a number of operations'}`);
    return { path: String(d.path), rate: rate ?? 0 };
  });
}

function blkio(ctx: Context, base: Path, v: unknown): BlkioSpec | undefined {
  if (v === undefined || v === null) return undefined;
  const b = obj(v);
  const spec: BlkioSpec = {
    weight_device: ((b.weight_device as unknown[] | undefined) ?? []).map((w) => ({ path: String(obj(w).path), weight: Number(obj(w).weight) })),
    device_read_bps: rates(ctx, [...base, 'device_read_bps'], b.device_read_bps, true),
    device_write_bps: rates(ctx, [...base, 'device_write_bps'], b.device_write_bps, true),
    device_read_iops: rates(ctx, [...base, 'device_read_iops'], b.device_read_iops, false),
    device_write_iops: rates(ctx, [...base, 'device_write_iops'], b.device_write_iops, false),
  };
  if (typeof b.weight === 'number') spec.weight = b.weight;
  return spec;
}

/** `gpus: all` or a list of device requests (Compose's shape). */
function gpus(v: unknown): GpuRequest[] {
  if (v === undefined || v === null) return [];
  if (v === 'all') return [{ count: -1, device_ids: [], capabilities: ['gpu'], options: {} }];
  return (v as unknown[]).map((item) => {
    const g = obj(item);
    const req: GpuRequest = { device_ids: toList(g.device_ids), capabilities: toList(g.capabilities), options: stringMap(g.options) };
    if (!req.capabilities.includes('gpu')) req.capabilities.unshift('gpu');
    if (typeof g.driver === 'string') req.driver = g.driver;
    if (g.count === 'all') req.count = -1;
    else if (g.count !== undefined) req.count = Number(g.count);
    return req;
  });
}

/** Labels read from `label_file` (KEY=VALUE lines, as env files); `labels` wins over them, as in Compose. */
export function labelFiles(ctx: Context, base: Path, v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  const list = toList(v);
  list.forEach((given, i) => {
    const at: Path = Array.isArray(v) ? [...base, i] : base;
    let text: string;
    try {
      text = readFileSync(localPath(ctx, given), 'utf8');
    } catch {
      fail(ctx, at, `file not found: ${given}`);
      return;
    }
    const parsed = parseEnvFile(text);
    for (const line of parsed.bad) fail(ctx, at, `${given}, line ${line}: expected KEY=value`);
    Object.assign(out, parsed.vars);
  });
  return out;
}

/** Devices: the short HOST[:CONTAINER[:PERMISSIONS]] form, or Compose's long form {source, target, permissions}. */
export function devices(v: unknown): string[] {
  return ((v as unknown[] | undefined) ?? []).map((d) => {
    if (typeof d === 'string') return d;
    const o = obj(d);
    const source = String(o.source);
    return `${source}:${typeof o.target === 'string' ? o.target : source}:${typeof o.permissions === 'string' ? o.permissions : 'rwm'}`;
  });
}

export function normaliseHostKeys(ctx: Context, base: Path, c: Raw): HostKeys {
  const at = (...p: (string | number)[]): Path => base.concat(p);
  const out: HostKeys = {
    dns_opt: toList(c.dns_opt),
    group_add: toList(c.group_add),
    oom_kill_disable: c.oom_kill_disable === true,
    device_cgroup_rules: toList(c.device_cgroup_rules),
    storage_opt: stringMap(c.storage_opt),
    annotations: listOrDict(c.annotations),
    gpus: gpus(c.gpus),
    // A bare NAME is another service of the project, as in Compose.
    volumes_from: toList(c.volumes_from).map((r) => (/^(service|container):/.test(r) ? r : `service:${r}`)),
  };
  for (const k of ['cpuset', 'cgroup', 'cgroup_parent', 'userns_mode', 'uts', 'mac_address'] as const) {
    if (typeof c[k] === 'string') out[k] = c[k] as string;
  }
  for (const k of ['cpu_period', 'cpu_quota', 'oom_score_adj', 'mem_swappiness'] as const) {
    if (c[k] !== undefined) out[k] = Number(c[k]);
  }
  const rtPeriod = micros(ctx, at('cpu_rt_period'), c.cpu_rt_period);
  if (rtPeriod !== undefined) out.cpu_rt_period = rtPeriod;
  const rtRuntime = micros(ctx, at('cpu_rt_runtime'), c.cpu_rt_runtime);
  if (rtRuntime !== undefined) out.cpu_rt_runtime = rtRuntime;
  const b = blkio(ctx, at('blkio_config'), c.blkio_config);
  if (b) out.blkio_config = b;
  for (const ref of out.volumes_from) {
    if (!/^(service|container):[^:]+(:(ro|rw))?$/.test(ref)) {
      fail(ctx, at('volumes_from'), `'${ref}' must be NAME, service:NAME or container:NAME, optionally with :ro or :rw`);
    }
  }
  return out;
}
