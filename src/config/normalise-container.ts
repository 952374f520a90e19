// One container block (a Compose service) -> ContainerSpec: short forms to long forms, sizes to bytes,
// durations to nanoseconds, env_file read, deploy.resources folded into the plain limits.
import { readFileSync } from 'node:fs';
import type {
  BuildSpec, ContainerSpec, DependsOnSpec, HealthcheckSpec, MountSpec, PortSpec, SecretMountSpec, ServiceNetworkSpec,
} from '../model/desired.js';
import { localPath, obj, report, type Context, type Raw } from './context.js';
import { parseImageReference } from '../model/image-reference.js';
import { parseEnvFile } from './env-file.js';
import { ownValue } from './interpolate.js';
import { reservedKeyMessage } from './reserved-keys.js';
import { didYouMean } from './did-you-mean.js';
import { pathToString, type Path } from './path-text.js';
import { parseMountShort, parsePortShort } from './short-forms.js';
import { devices, labelFiles, normaliseHostKeys } from './normalise-host-keys.js';
import { updateConfig } from './normalise-update-config.js';
import { listOrDict, parseDuration, parseMode, parseSize, shellSplit, stringMap, toList } from './units.js';

/** An issue worded `containers.web.ports[0]: ...`, like the schema's. */
function fail(ctx: Context, path: Path, message: string): void {
  report(ctx, path, `${pathToString(path)}: ${message}`);
}

export interface NormalisedContainer {
  spec: ContainerSpec;
  /** For each spec.ports[i], the index of the `ports:` entry it came from (short ranges expand). */
  portEntry: number[];
}

export function duration(ctx: Context, path: Path, v: unknown): number | undefined {
  if (v === undefined) return undefined;
  const ns = parseDuration(String(v));
  if (ns === undefined) fail(ctx, path, `'${String(v)}' must be a duration like 30s, 1m30s or 100ms`);
  return ns;
}

export function size(ctx: Context, path: Path, v: unknown): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (v === -1) return -1;
  const bytes = parseSize(v as string | number);
  if (bytes === undefined) fail(ctx, path, `'${String(v)}' must be a size like 256m, 1g or 1024 (bytes)`);
  return bytes;
}

export function command(ctx: Context, path: Path, v: unknown): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (Array.isArray(v)) return v.map(String);
  const text = String(v);
  // A sensitive value stays one literal piece of its word: were it split at spaces or unescaped, the words
  // would no longer hold the value and output could not mask them.
  const secrets = (ctx.sensitive ?? []).filter((s) => s !== '' && text.includes(s)).sort((a, b) => b.length - a.length);
  const mark = (i: number): string => `\ue000${i}\ue001`;
  const guarded = secrets.reduce((t, s, i) => t.split(s).join(mark(i)), text);
  const argv = shellSplit(guarded)?.map((w) => secrets.reduce((t, s, i) => t.split(mark(i)).join(s), w));
  if (!argv) fail(ctx, path, 'unbalanced quotes in the command string');
  return argv;
}

function build(ctx: Context, v: unknown): BuildSpec | undefined {
  if (v === undefined) return undefined;
  const b = typeof v === 'string' ? { context: v } : obj(v);
  const context = typeof b.context === 'string' ? b.context : '.';
  // A remote context (git URL) goes to the builder as written.
  const spec: BuildSpec = { context: /^[a-z]+:\/\/|^git@/.test(context) ? context : localPath(ctx, context), args: listOrDict(b.args, () => undefined) };
  if (typeof b.dockerfile === 'string') spec.dockerfile = b.dockerfile;
  if (typeof b.target === 'string') spec.target = b.target;
  if (typeof b.push === 'string') spec.push = b.push;
  return spec;
}

function envFiles(ctx: Context, base: Path, v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (v === undefined) return out;
  const list = Array.isArray(v) ? v : [v];
  list.forEach((item: unknown, i) => {
    const entry = typeof item === 'string' ? { path: item, required: true } : obj(item);
    const given = String(entry.path);
    const at: Path = Array.isArray(v) ? [...base, i] : base;
    let text: string;
    try {
      text = readFileSync(localPath(ctx, given), 'utf8');
    } catch {
      if (entry.required !== false) fail(ctx, at, `file not found: ${given} (add required: false if it is optional)`);
      return;
    }
    const parsed = parseEnvFile(text);
    for (const line of parsed.bad) fail(ctx, at, `${given}, line ${line}: expected KEY=value`);
    for (const line of parsed.reserved) fail(ctx, at, `${given}, line ${line}: ${reservedKeyMessage('a variable name')}`);
    Object.assign(out, parsed.vars);
  });
  return out;
}

export function ports(ctx: Context, base: Path, v: unknown): { ports: PortSpec[]; portEntry: number[] } {
  const out: PortSpec[] = [];
  const portEntry: number[] = [];
  ((v as unknown[] | undefined) ?? []).forEach((item, i) => {
    if (typeof item === 'object' && item !== null) {
      const p = item as Raw;
      const spec: PortSpec = { target: Number(p.target), protocol: (p.protocol as PortSpec['protocol']) ?? 'tcp' };
      if (p.published !== undefined) spec.published = String(p.published);
      if (typeof p.host_ip === 'string') spec.host_ip = p.host_ip;
      if (p.mode === 'host' || p.mode === 'ingress') spec.mode = p.mode;
      out.push(spec);
      portEntry.push(i);
      return;
    }
    const parsed = parsePortShort(item as string | number);
    if (typeof parsed === 'string') return fail(ctx, [...base, i], `invalid port '${String(item)}': ${parsed}`);
    for (const spec of parsed) (out.push(spec), portEntry.push(i));
  });
  return { ports: out, portEntry };
}

function mounts(ctx: Context, base: Path, v: unknown): MountSpec[] {
  const out: MountSpec[] = [];
  ((v as unknown[] | undefined) ?? []).forEach((item, i) => {
    let spec: MountSpec;
    if (typeof item === 'string') {
      const parsed = parseMountShort(item);
      if (typeof parsed === 'string') return fail(ctx, [...base, i], `invalid volume '${item}': ${parsed}`);
      spec = parsed;
    } else {
      const m = obj(item);
      spec = { type: m.type as MountSpec['type'], target: String(m.target), read_only: m.read_only === true };
      if (typeof m.source === 'string') spec.source = m.source;
      if (m.bind) spec.bind = { ...(obj(m.bind) as MountSpec['bind']) };
      if (m.volume) spec.volume = { ...(obj(m.volume) as MountSpec['volume']) };
      if (m.tmpfs) {
        const t = obj(m.tmpfs);
        spec.tmpfs = {};
        if (t.size !== undefined) spec.tmpfs.size = size(ctx, [...base, i, 'tmpfs', 'size'], t.size);
        if (t.mode !== undefined) spec.tmpfs.mode = parseMode(t.mode as number | string);
      }
      if (!spec.target.startsWith('/')) fail(ctx, [...base, i, 'target'], `container path '${spec.target}' must be absolute`);
      if (spec.type === 'bind' && !spec.source) fail(ctx, [...base, i], 'a bind mount needs source');
      if (spec.type === 'tmpfs' && spec.source) fail(ctx, [...base, i, 'source'], 'a tmpfs mount has no source');
    }
    if (spec.type === 'bind' && spec.source) spec.source = localPath(ctx, spec.source);
    out.push(spec);
  });
  return out;
}

function networks(v: unknown): Record<string, ServiceNetworkSpec> {
  const out: Record<string, ServiceNetworkSpec> = {};
  if (Array.isArray(v)) for (const n of v) out[String(n)] = { aliases: [] };
  else
    for (const [name, value] of Object.entries(obj(v))) {
      const n = obj(value);
      const spec: ServiceNetworkSpec = { aliases: toList(n.aliases) };
      if (n.driver_opts !== undefined) spec.driver_opts = stringMap(n.driver_opts);
      if (n.link_local_ips !== undefined) spec.link_local_ips = toList(n.link_local_ips);
      if (typeof n.ipv4_address === 'string') spec.ipv4_address = n.ipv4_address;
      if (typeof n.ipv6_address === 'string') spec.ipv6_address = n.ipv6_address;
      if (typeof n.priority === 'number') spec.priority = n.priority;
      if (typeof n.mac_address === 'string') spec.mac_address = n.mac_address;
      if (typeof n.gw_priority === 'number') spec.gw_priority = n.gw_priority;
      if (typeof n.interface_name === 'string') spec.interface_name = n.interface_name;
      out[name] = spec;
    }
  return out;
}

function dependsOn(v: unknown): Record<string, DependsOnSpec> {
  const out: Record<string, DependsOnSpec> = {};
  if (Array.isArray(v)) for (const n of v) out[String(n)] = { condition: 'service_started', required: true, restart: false };
  else
    for (const [name, value] of Object.entries(obj(v))) {
      const d = obj(value);
      out[name] = {
        condition: (d.condition as DependsOnSpec['condition']) ?? 'service_started',
        required: d.required !== false,
        restart: d.restart === true,
      };
    }
  return out;
}

const TEST_FORMS = ['CMD', 'CMD-SHELL', 'NONE'];

export function healthcheck(ctx: Context, base: Path, v: unknown): HealthcheckSpec | undefined {
  if (v === undefined) return undefined;
  const h = obj(v);
  const test = h.test === undefined ? [] : typeof h.test === 'string' ? ['CMD-SHELL', h.test] : (h.test as string[]);
  // Checked here, not in the schema: a tuple with open-ended arguments does not compile in ajv's strict mode.
  if (Array.isArray(h.test) && typeof test[0] === 'string' && !TEST_FORMS.includes(test[0])) {
    const at = [...base, 'test', 0];
    report(ctx, at, `${pathToString(at)}: must be one of: ${TEST_FORMS.join(', ')}${didYouMean(test[0], TEST_FORMS)}`);
  }
  const disable = h.disable === true || test[0] === 'NONE';
  const spec: HealthcheckSpec = { test: disable ? ['NONE'] : test, disable };
  for (const k of ['interval', 'timeout', 'start_period', 'start_interval'] as const) {
    const ns = duration(ctx, [...base, k], h[k]);
    if (ns !== undefined) spec[k] = ns;
  }
  if (typeof h.retries === 'number') spec.retries = h.retries;
  return spec;
}

export function secrets(v: unknown): SecretMountSpec[] {
  return ((v as unknown[] | undefined) ?? []).map((item) => {
    const s = typeof item === 'string' ? { source: item } : obj(item);
    const source = String(s.source);
    const target = typeof s.target === 'string' ? s.target : source;
    return {
      source,
      // Compose puts a relative target under /run/secrets.
      target: target.startsWith('/') ? target : `/run/secrets/${target}`,
      mode: s.mode === undefined ? 0o444 : parseMode(s.mode as number | string),
    };
  });
}

function extraHosts(v: unknown): string[] {
  if (Array.isArray(v)) return v.map((h: string) => (/^[^:=]+=/.test(h) ? h.replace('=', ':') : h));
  return Object.entries(stringMap(v)).map(([host, ip]) => `${host}:${ip}`);
}

function ulimits(v: unknown): ContainerSpec['ulimits'] {
  const out: ContainerSpec['ulimits'] = {};
  for (const [name, value] of Object.entries(obj(v))) {
    out[name] = typeof value === 'number' ? { soft: value, hard: value } : { soft: Number(obj(value).soft), hard: Number(obj(value).hard) };
  }
  return out;
}

// A reference the engine would refuse is caught here, with its position, rather than at apply on each machine.
function checkImage(ctx: Context, path: Path, ref: string): void {
  if (ref.includes('${')) return; // a failed substitution is reported already
  const parsed = parseImageReference(ref);
  if ('problem' in parsed) fail(ctx, path, `'${ref}' is not a valid image reference: ${parsed.problem}`);
}

/** Copies the optional string fields that keep their Compose meaning unchanged. */
const PLAIN_STRINGS = [
  'container_name', 'user', 'working_dir', 'hostname', 'domainname', 'platform', 'runtime', 'pid', 'ipc', 'stop_signal',
  'network_mode',
] as const;

export function normaliseContainer(ctx: Context, name: string, c: Raw, machines: string[]): NormalisedContainer {
  const base: Path = ['containers', name];
  const at = (...p: (string | number)[]): Path => base.concat(p);
  // Where an absent key would be: every reader below returns at once for undefined without placing anything,
  // so no path is made (10,000 containers, a dozen optional keys each).
  const atIf = (v: unknown, ...p: (string | number)[]): Path => (v === undefined ? base : base.concat(p));
  const b = build(ctx, c.build);
  const env = { ...envFiles(ctx, atIf(c.env_file, 'env_file'), c.env_file), ...listOrDict(c.environment, (k) => ownValue(ctx.env, k)) };
  const { ports: portSpecs, portEntry } = ports(ctx, atIf(c.ports, 'ports'), c.ports);
  const pull = c.pull_policy === 'if_not_present' ? 'missing' : ((c.pull_policy as ContainerSpec['pull_policy']) ?? 'missing');
  const deploy = obj(c.deploy);
  const limits = obj(obj(deploy.resources).limits);
  const reservations = obj(obj(deploy.resources).reservations);

  const spec: ContainerSpec = {
    name,
    machines,
    image: typeof c.image === 'string' ? c.image : `${ctx.project}-${name}`,
    pull_policy: pull,
    environment: env,
    labels: { ...labelFiles(ctx, atIf(c.label_file, 'label_file'), c.label_file), ...listOrDict(c.labels) },
    ports: portSpecs,
    expose: toList(c.expose),
    volumes: mounts(ctx, atIf(c.volumes, 'volumes'), c.volumes),
    networks: networks(c.networks),
    depends_on: dependsOn(c.depends_on),
    restart: typeof c.restart === 'string' ? c.restart : 'no',
    read_only: c.read_only === true,
    privileged: c.privileged === true,
    cap_add: toList(c.cap_add),
    cap_drop: toList(c.cap_drop),
    security_opt: toList(c.security_opt),
    devices: devices(c.devices),
    sysctls: listOrDict(c.sysctls),
    stdin_open: c.stdin_open === true,
    tty: c.tty === true,
    init: c.init === true,
    extra_hosts: extraHosts(c.extra_hosts),
    dns: toList(c.dns),
    dns_search: toList(c.dns_search),
    tmpfs: toList(c.tmpfs),
    ulimits: ulimits(c.ulimits),
    secrets: secrets(c.secrets),
    replicas: typeof deploy.replicas === 'number' ? deploy.replicas : 1,
    ...normaliseHostKeys(ctx, base, c),
  };
  if (b) spec.build = b;
  if (typeof c.image === 'string') checkImage(ctx, at('image'), c.image);
  if (c.image === undefined && !b) report(ctx, base, `containers.${name}: needs image or build`, { key: true });
  if (pull === 'build' && !b) report(ctx, at('pull_policy'), `containers.${name}: pull_policy build needs a build section`);
  for (const k of PLAIN_STRINGS) if (typeof c[k] === 'string') spec[k] = c[k] as string;
  const cmd = command(ctx, atIf(c.command, 'command'), c.command);
  if (cmd) spec.command = cmd;
  const ep = command(ctx, atIf(c.entrypoint, 'entrypoint'), c.entrypoint);
  if (ep) spec.entrypoint = ep;
  const hc = healthcheck(ctx, atIf(c.healthcheck, 'healthcheck'), c.healthcheck);
  if (hc) spec.healthcheck = hc;
  if (c.logging) {
    const l = obj(c.logging);
    spec.logging = { options: stringMap(l.options) };
    if (typeof l.driver === 'string') spec.logging.driver = l.driver;
  }
  const shm = size(ctx, atIf(c.shm_size, 'shm_size'), c.shm_size);
  if (shm !== undefined) spec.shm_size = shm;
  const grace = duration(ctx, atIf(c.stop_grace_period, 'stop_grace_period'), c.stop_grace_period);
  if (grace !== undefined) spec.stop_grace_period = grace;

  // Plain keys and deploy.resources say the same thing; Compose refuses distinct values, so does mfile.
  const pick = <T>(plain: T | undefined, plainKey: string, fromDeploy: T | undefined, deployPath: () => Path): T | undefined => {
    if (plain !== undefined && fromDeploy !== undefined && plain !== fromDeploy)
      report(ctx, deployPath(), `containers.${name}: ${plainKey} and deploy.resources say different things; set one of them`);
    return plain ?? fromDeploy;
  };
  const rpath = (kind: string, k: string): Path => at('deploy', 'resources', kind, k);
  const mem = pick(size(ctx, atIf(c.mem_limit, 'mem_limit'), c.mem_limit), 'mem_limit', size(ctx, limits.memory === undefined ? base : rpath('limits', 'memory'), limits.memory), () => rpath('limits', 'memory'));
  if (mem !== undefined) spec.mem_limit = mem;
  const memRes = pick(
    size(ctx, atIf(c.mem_reservation, 'mem_reservation'), c.mem_reservation), 'mem_reservation',
    size(ctx, reservations.memory === undefined ? base : rpath('reservations', 'memory'), reservations.memory), () => rpath('reservations', 'memory'),
  );
  if (memRes !== undefined) spec.mem_reservation = memRes;
  const swap = size(ctx, atIf(c.memswap_limit, 'memswap_limit'), c.memswap_limit);
  if (swap !== undefined) spec.memswap_limit = swap;
  const num = (v: unknown): number | undefined => (v === undefined ? undefined : Number(v));
  const cpus = pick(num(c.cpus), 'cpus', num(limits.cpus), () => rpath('limits', 'cpus'));
  if (cpus !== undefined) spec.cpus = cpus;
  const pids = pick(num(c.pids_limit), 'pids_limit', num(limits.pids), () => rpath('limits', 'pids'));
  if (pids !== undefined) spec.pids_limit = pids;
  if (typeof c.cpu_shares === 'number') spec.cpu_shares = c.cpu_shares;
  const rolling = updateConfig(ctx, atIf(deploy.update_config, 'deploy', 'update_config'), deploy.update_config);
  if (rolling) spec.update_config = rolling;
  return { spec, portEntry };
}
