// The swarm parts of machines.yml -> DesiredSwarm: machines' roles, top-level `swarm`, `services` and `configs`,
// with the cross-field checks (a manager exists, networks are overlays, secrets and configs are declared).
import type { NetworkSpec, SecretMountSpec, SecretSpec } from '../model/desired.js';
import type { DesiredSwarm, ServiceDeploySpec, ServiceSpec, SwarmFileSpec, SwarmRole, SwarmUpdateConfig } from '../model/swarm.js';
import { localPath, obj, report, type Context, type Raw } from './context.js';
import { command, duration, healthcheck, ports, secrets as mounts, size } from './normalise-container.js';
import { ownValue } from './interpolate.js';
import type { Path } from './path-text.js';
import { listOrDict, toList } from './units.js';

function updateConfig(ctx: Context, at: Path, v: unknown, rollback: boolean): SwarmUpdateConfig | undefined {
  if (v === undefined) return undefined;
  const u = obj(v);
  const spec: SwarmUpdateConfig = {
    parallelism: typeof u.parallelism === 'number' ? u.parallelism : 1,
    failure_action: (u.failure_action as SwarmUpdateConfig['failure_action']) ?? 'pause',
    order: (u.order as SwarmUpdateConfig['order']) ?? 'stop-first',
  };
  const delay = duration(ctx, [...at, 'delay'], u.delay);
  if (delay !== undefined) spec.delay = delay;
  const monitor = duration(ctx, [...at, 'monitor'], u.monitor);
  if (monitor !== undefined) spec.monitor = monitor;
  if (typeof u.max_failure_ratio === 'number') spec.max_failure_ratio = u.max_failure_ratio;
  if (rollback && u.failure_action === 'rollback') report(ctx, [...at, 'failure_action'], `${at.join('.')}.failure_action: a rollback cannot itself roll back (use pause or continue)`);
  return spec;
}

function deploy(ctx: Context, at: Path, v: unknown): ServiceDeploySpec {
  const d = obj(v);
  const placement = obj(d.placement);
  const limits = obj(obj(d.resources).limits);
  const reservations = obj(obj(d.resources).reservations);
  const num = (x: unknown): number | undefined => (x === undefined ? undefined : Number(x));
  const spec: ServiceDeploySpec = {
    mode: d.mode === 'global' ? 'global' : 'replicated',
    replicas: typeof d.replicas === 'number' ? d.replicas : 1,
    endpoint_mode: d.endpoint_mode === 'dnsrr' ? 'dnsrr' : 'vip',
    labels: listOrDict(d.labels),
    placement: {
      constraints: toList(placement.constraints),
      preferences: ((placement.preferences as Raw[] | undefined) ?? []).map((p) => String(p.spread)),
    },
    resources: { limits: {}, reservations: {} },
  };
  if (typeof placement.max_replicas_per_node === 'number') spec.placement.max_replicas_per_node = placement.max_replicas_per_node;
  const r = (k: string, kind: string): Path => [...at, 'resources', kind, k];
  const lc = num(limits.cpus);
  if (lc !== undefined) spec.resources.limits.cpus = lc;
  const lm = size(ctx, r('memory', 'limits'), limits.memory);
  if (lm !== undefined) spec.resources.limits.memory = lm;
  if (typeof limits.pids === 'number') spec.resources.limits.pids = limits.pids;
  const rc = num(reservations.cpus);
  if (rc !== undefined) spec.resources.reservations.cpus = rc;
  const rm = size(ctx, r('memory', 'reservations'), reservations.memory);
  if (rm !== undefined) spec.resources.reservations.memory = rm;
  if (d.restart_policy !== undefined) {
    const rp = obj(d.restart_policy);
    spec.restart_policy = { condition: typeof rp.condition === 'string' ? rp.condition : 'any' };
    const delay = duration(ctx, [...at, 'restart_policy', 'delay'], rp.delay);
    if (delay !== undefined) spec.restart_policy.delay = delay;
    const win = duration(ctx, [...at, 'restart_policy', 'window'], rp.window);
    if (win !== undefined) spec.restart_policy.window = win;
    if (typeof rp.max_attempts === 'number') spec.restart_policy.max_attempts = rp.max_attempts;
  }
  const u = updateConfig(ctx, [...at, 'update_config'], d.update_config, false);
  if (u) spec.update_config = u;
  const rb = updateConfig(ctx, [...at, 'rollback_config'], d.rollback_config, true);
  if (rb) spec.rollback_config = rb;
  if (spec.mode === 'global' && d.replicas !== undefined) report(ctx, [...at, 'replicas'], `${at.join('.')}.replicas: a global service runs one task per node; remove replicas`);
  return spec;
}

function service(ctx: Context, name: string, s: Raw): ServiceSpec {
  const at: Path = ['services', name];
  const spec: ServiceSpec = {
    name,
    image: String(s.image),
    environment: listOrDict(s.environment, (k) => ownValue(ctx.env, k)),
    labels: listOrDict(s.labels),
    ports: ports(ctx, [...at, 'ports'], s.ports).ports,
    networks: toList(s.networks),
    secrets: mounts(s.secrets),
    // Compose mounts a config at /NAME unless a target is given.
    configs: mounts(s.configs).map((c): SecretMountSpec => ({ ...c, target: c.target.replace(/^\/run\/secrets\//, '/') })),
    init: s.init === true,
    deploy: deploy(ctx, [...at, 'deploy'], s.deploy),
  };
  const cmd = command(ctx, [...at, 'command'], s.command);
  if (cmd) spec.command = cmd;
  const ep = command(ctx, [...at, 'entrypoint'], s.entrypoint);
  if (ep) spec.entrypoint = ep;
  const hc = healthcheck(ctx, [...at, 'healthcheck'], s.healthcheck);
  if (hc) spec.healthcheck = hc;
  for (const k of ['user', 'working_dir', 'hostname'] as const) if (typeof s[k] === 'string') spec[k] = s[k] as string;
  const grace = duration(ctx, [...at, 'stop_grace_period'], s.stop_grace_period);
  if (grace !== undefined) spec.stop_grace_period = grace;
  if (ctx.sensitive?.some((v) => v !== '' && spec.image.includes(v))) report(ctx, [...at, 'image'], `services.${name}.image: must not hold a sensitive value`);
  return spec;
}

/** Undefined when the file declares no swarm role, no services and no configs. */
export function normaliseSwarm(ctx: Context, data: Raw, networks: Record<string, NetworkSpec>, secrets: Record<string, SecretSpec>): DesiredSwarm | undefined {
  const roles: DesiredSwarm['roles'] = [];
  for (const [machine, value] of Object.entries(obj(data.machines))) {
    const sw = obj(value).swarm;
    if (sw !== undefined) roles.push({ machine, role: obj(sw).role as SwarmRole });
  }
  const rawServices = obj(data.services);
  const rawConfigs = obj(data.configs);
  const top = obj(data.swarm);
  if (roles.length === 0 && Object.keys(rawServices).length === 0 && Object.keys(rawConfigs).length === 0 && data.swarm === undefined) return undefined;

  const configs: Record<string, SwarmFileSpec> = {};
  for (const [name, value] of Object.entries(rawConfigs)) configs[name] = { name, file: localPath(ctx, String(obj(value).file)) };
  const services: Record<string, ServiceSpec> = {};
  for (const [name, value] of Object.entries(rawServices)) services[name] = service(ctx, name, obj(value));

  const hasManager = roles.some((r) => r.role === 'manager');
  if (!hasManager && (roles.length > 0 || Object.keys(services).length > 0)) {
    if (roles.length > 0) report(ctx, ['machines', roles[0].machine, 'swarm', 'role'], 'swarm: no machine has swarm: { role: manager }; a swarm needs at least one manager');
    else report(ctx, ['services'], 'services: these are Swarm services and no machine has swarm: { role: manager }; give one that role, or move each service under containers to run it on named machines', { key: true });
  }
  for (const s of Object.values(services)) {
    s.networks.forEach((n, i) => {
      const net = Object.hasOwn(networks, n) ? networks[n] : undefined;
      if (!net) report(ctx, ['services', s.name, 'networks', i], `services.${s.name}: unknown network '${n}' (declare it under networks with driver: overlay)`);
      else if (net.driver !== 'overlay' && !net.external) report(ctx, ['services', s.name, 'networks', i], `services.${s.name}: network '${n}' must have driver: overlay to be used by a service`);
    });
    s.secrets.forEach((m, i) => {
      if (!Object.hasOwn(secrets, m.source)) report(ctx, ['services', s.name, 'secrets', i], `services.${s.name}: unknown secret '${m.source}' (declare it under secrets)`);
    });
    s.configs.forEach((m, i) => {
      if (!Object.hasOwn(configs, m.source)) report(ctx, ['services', s.name, 'configs', i], `services.${s.name}: unknown config '${m.source}' (declare it under configs)`);
    });
  }
  const spec: DesiredSwarm = { roles, subnetSize: typeof top.subnet_size === 'number' ? top.subnet_size : 24, services, configs, secretDigests: {} };
  if (Array.isArray(top.default_addr_pool)) spec.defaultAddrPool = top.default_addr_pool.map(String);
  return spec;
}
