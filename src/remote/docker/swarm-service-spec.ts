// A service of machines.yml -> the Engine API's ServiceSpec, mapped as `docker stack deploy` maps Compose keys.
import { LABEL_SERVICE_IMAGE, type ServiceSpec, type SwarmUpdateConfig } from '../../model/swarm.js';

type Any = Record<string, unknown>;

export interface ServiceNames {
  project: string;
  engineName: string;
  /** Labels on the service (project, name, config hash). */
  labels: Record<string, string>;
  /** Labels on the task containers (the config hash, to tell new tasks from old). */
  taskLabels: Record<string, string>;
  networks: Record<string, string>;
  secrets: Record<string, { id: string; name: string }>;
  configs: Record<string, { id: string; name: string }>;
  /**
   * The image's content id on the machines (`sha256:…`). A swarm task otherwise pulls its image by name before
   * every start, even when the machine holds it: a stranger's image of that name on Docker Hub would run, and
   * with no route to a registry each start waits out the failed pull. The engine skips the pull for an id.
   */
  imageId: string;
}

function updateConfig(u: SwarmUpdateConfig | undefined): Any | undefined {
  if (!u) return undefined;
  return {
    Parallelism: u.parallelism,
    ...(u.delay !== undefined ? { Delay: u.delay } : {}),
    FailureAction: u.failure_action,
    ...(u.monitor !== undefined ? { Monitor: u.monitor } : {}),
    ...(u.max_failure_ratio !== undefined ? { MaxFailureRatio: u.max_failure_ratio } : {}),
    Order: u.order,
  };
}

export function serviceEngineSpec(s: ServiceSpec, n: ServiceNames): Any {
  const d = s.deploy;
  const hc = s.healthcheck;
  const file = (m: { source: string; target: string; mode: number }, ref: { id: string; name: string }, secret: boolean): Any => ({
    ...(secret ? { SecretID: ref.id, SecretName: ref.name } : { ConfigID: ref.id, ConfigName: ref.name }),
    File: { Name: m.target.replace(/^\/run\/secrets\//, '') || m.source, UID: '0', GID: '0', Mode: m.mode },
  });
  const container: Any = {
    Image: n.imageId,
    Labels: { ...s.labels, ...n.taskLabels },
    Env: Object.entries(s.environment).map(([k, v]) => `${k}=${v}`).sort(),
    ...(s.command ? { Args: s.command } : {}),
    ...(s.entrypoint ? { Command: s.entrypoint } : {}),
    ...(s.user ? { User: s.user } : {}),
    ...(s.working_dir ? { Dir: s.working_dir } : {}),
    ...(s.hostname ? { Hostname: s.hostname } : {}),
    ...(s.stop_grace_period !== undefined ? { StopGracePeriod: s.stop_grace_period } : {}),
    ...(s.init ? { Init: true } : {}),
    ...(hc
      ? { Healthcheck: { Test: hc.test, ...(hc.interval ? { Interval: hc.interval } : {}), ...(hc.timeout ? { Timeout: hc.timeout } : {}), ...(hc.start_period ? { StartPeriod: hc.start_period } : {}), ...(hc.retries !== undefined ? { Retries: hc.retries } : {}) } }
      : {}),
    Secrets: s.secrets.map((m) => file(m, n.secrets[m.source], true)),
    Configs: s.configs.map((m) => ({ ...file(m, n.configs[m.source], false), File: { Name: m.target, UID: '0', GID: '0', Mode: m.mode } })),
  };
  const nano = (cpus: number | undefined): Any => (cpus !== undefined ? { NanoCPUs: Math.round(cpus * 1e9) } : {});
  const rp = d.restart_policy;
  return {
    Name: n.engineName,
    Labels: { ...d.labels, ...n.labels, 'com.docker.stack.namespace': n.project, [LABEL_SERVICE_IMAGE]: s.image },
    TaskTemplate: {
      ContainerSpec: container,
      Resources: {
        Limits: { ...nano(d.resources.limits.cpus), ...(d.resources.limits.memory ? { MemoryBytes: d.resources.limits.memory } : {}), ...(d.resources.limits.pids ? { Pids: d.resources.limits.pids } : {}) },
        Reservations: { ...nano(d.resources.reservations.cpus), ...(d.resources.reservations.memory ? { MemoryBytes: d.resources.reservations.memory } : {}) },
      },
      ...(rp ? { RestartPolicy: { Condition: rp.condition, ...(rp.delay !== undefined ? { Delay: rp.delay } : {}), ...(rp.max_attempts !== undefined ? { MaxAttempts: rp.max_attempts } : {}), ...(rp.window !== undefined ? { Window: rp.window } : {}) } } : {}),
      Placement: {
        Constraints: d.placement.constraints,
        Preferences: d.placement.preferences.map((p) => ({ Spread: { SpreadDescriptor: p } })),
        ...(d.placement.max_replicas_per_node ? { MaxReplicas: d.placement.max_replicas_per_node } : {}),
      },
      Networks: s.networks.map((net) => ({ Target: n.networks[net], Aliases: [s.name] })),
    },
    Mode: d.mode === 'global' ? { Global: {} } : { Replicated: { Replicas: d.replicas } },
    ...(updateConfig(d.update_config) ? { UpdateConfig: updateConfig(d.update_config) } : {}),
    ...(updateConfig(d.rollback_config) ? { RollbackConfig: updateConfig(d.rollback_config) } : {}),
    EndpointSpec: {
      Mode: d.endpoint_mode,
      Ports: s.ports.map((p) => ({
        Protocol: p.protocol,
        TargetPort: p.target,
        ...(p.published !== undefined ? { PublishedPort: Number(p.published) } : {}),
        PublishMode: p.mode ?? 'ingress',
      })),
    },
  };
}
