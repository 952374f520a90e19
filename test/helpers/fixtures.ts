// Desired/State/Plan builders for apply tests that run before (or without) the config loader and the planner.
import type { ContainerSpec, Desired, NetworkSpec, Plan, PlanNode, State, VolumeSpec, Action, PullPolicy } from '../../src/model/index.js';
import { containerConfigHash, networkConfigHash, replaceStrategy, volumeConfigHash } from '../../src/plan/index.js';
import { localTraits } from '../../src/drivers/local/traits.js';
import { builtinCatalog } from '../../src/drivers/catalog.js';
import { defaultEngine } from '../../src/model/engine-defaults.js';

export function containerSpec(name: string, over: Partial<ContainerSpec> = {}): ContainerSpec {
  return {
    name,
    machines: ['m1'],
    image: 'mfile-test/busybox:1',
    pull_policy: 'missing',
    environment: {},
    labels: {},
    ports: [],
    expose: [],
    volumes: [],
    networks: {},
    depends_on: {},
    restart: 'no',
    read_only: false,
    privileged: false,
    cap_add: [],
    cap_drop: [],
    security_opt: [],
    devices: [],
    sysctls: {},
    stdin_open: false,
    tty: false,
    init: false,
    extra_hosts: [],
    dns: [],
    dns_search: [],
    tmpfs: [],
    ulimits: {},
    secrets: [],
    replicas: 1,
    dns_opt: [],
    group_add: [],
    oom_kill_disable: false,
    device_cgroup_rules: [],
    storage_opt: {},
    annotations: {},
    gpus: [],
    volumes_from: [],
    ...over,
  };
}

export const networkSpec = (name: string, over: Partial<NetworkSpec> = {}): NetworkSpec => ({
  name, driver: 'bridge', driverOpts: {}, internal: false, attachable: false, enableIpv6: false, labels: {}, external: false, ...over,
});

export const volumeSpec = (name: string, over: Partial<VolumeSpec> = {}): VolumeSpec => ({
  name, driver: 'local', driverOpts: {}, labels: {}, external: false, ...over,
});

export function desiredOf(project: string, parts: { containers?: ContainerSpec[]; networks?: NetworkSpec[]; volumes?: VolumeSpec[] }): Desired {
  return {
    project,
    configPath: `/tmp/${project}/machines.yml`,
    configDigest: 'test',
    variables: {},
    sensitiveValues: [],
    machines: {
      m1: {
        name: 'm1',
        driver: 'local',
        driverOptions: {},
        traits: localTraits,
        engine: defaultEngine({ install: 'never' }),
        tls: { enabled: false, san: [] },
      },
    },
    networks: Object.fromEntries((parts.networks ?? []).map((n) => [n.name, n])),
    volumes: Object.fromEntries((parts.volumes ?? []).map((v) => [v.name, v])),
    secrets: {},
    containers: Object.fromEntries((parts.containers ?? []).map((c) => [c.name, c])),
    drivers: builtinCatalog(),
  };
}

export function freshState(): State {
  return { version: 1, mfile_version: 'test', lineage: 'test', serial: 0, machines: {}, objects: {} };
}

export function node(address: string, action: Action, dependsOn: string[] = [], over: Partial<PlanNode> = {}): PlanNode {
  const m = /^(\w+)\.(.+?)(?:\[(.+)\])?$/.exec(address)!;
  return { address, kind: m[1] as PlanNode['kind'], machine: m[3] ?? m[2], name: m[2], action, reasons: [], before: null, after: {}, dependsOn, ...over };
}

export function planOf(nodes: PlanNode[], project = 'test'): Plan {
  return {
    formatVersion: 2, mfileVersion: 'test', project, configPath: '/tmp/x', configDigest: 'x', stateLineage: 'test', stateSerial: 0, destroy: false,
    nodes, summary: { add: 0, change: 0, destroy: 0 }, warnings: [],
  };
}

const PULL_RANK: Record<string, number> = { never: 0, missing: 1, always: 2, build: 3 };

/** Fills in what the planner settles for each step (config hashes, replace strategy, image data) from `desired`. */
export function planned(plan: Plan, desired: Desired): Plan {
  const digests = desired.sensitiveDigests;
  for (const n of plan.nodes) {
    if (n.action === 'delete') continue;
    if (n.kind === 'container' && desired.containers[n.name]) {
      const spec = desired.containers[n.name];
      n.configHash ??= containerConfigHash(spec, desired.project, digests);
      if (n.action === 'replace') n.replaceStrategy ??= replaceStrategy(spec);
      n.waitFor ??= Object.keys(spec.depends_on)
        .filter((dep) => desired.containers[dep])
        .map((dep) => ({ container: dep, machine: desired.containers[dep].machines.includes(n.machine) ? n.machine : desired.containers[dep].machines[0] }));
    } else if (n.kind === 'network' && desired.networks[n.name]) {
      n.configHash ??= networkConfigHash(desired.networks[n.name], desired.project, digests);
    } else if (n.kind === 'volume' && desired.volumes[n.name]) {
      n.configHash ??= volumeConfigHash(desired.volumes[n.name], desired.project, digests);
    } else if (n.kind === 'image') {
      const users = Object.values(desired.containers).filter((c) => c.image === n.name);
      const strongest = users.reduce<ContainerSpec | undefined>((a, c) => (!a || PULL_RANK[c.pull_policy] > PULL_RANK[a.pull_policy] ? c : a), undefined);
      const policy = (strongest?.pull_policy ?? 'missing') as PullPolicy;
      const builder = policy === 'build' ? strongest : policy === 'missing' ? users.find((c) => c.build) : undefined;
      n.image ??= { ref: n.name, pullPolicy: policy, ...(builder ? { buildFrom: builder.name } : {}) };
    }
  }
  return plan;
}

/** A plan that creates everything in `desired` on m1, in dependency order (what the planner will emit). */
export function createPlan(desired: Desired, action: Action = 'create'): Plan {
  const nodes: PlanNode[] = [];
  const at = (kind: string, name: string): string => `${kind}.${name}[m1]`;
  for (const n of Object.keys(desired.networks)) nodes.push(node(at('network', n), action));
  for (const v of Object.keys(desired.volumes)) nodes.push(node(at('volume', v), action));
  const images = new Set(Object.values(desired.containers).map((c) => c.image));
  for (const i of images) nodes.push(node(at('image', i), 'create'));
  for (const c of Object.values(desired.containers)) {
    const deps = [
      at('image', c.image),
      ...Object.keys(c.networks).map((n) => at('network', n)),
      ...c.volumes.filter((v) => v.type === 'volume' && v.source).map((v) => at('volume', v.source!)),
      ...Object.keys(c.depends_on).map((d) => at('container', d)),
    ];
    nodes.push(node(at('container', c.name), action, deps));
  }
  return planned(planOf(nodes, desired.project), desired);
}

/** The reverse: delete everything, containers first. */
export function destroyPlan(desired: Desired): Plan {
  const nodes: PlanNode[] = [];
  const at = (kind: string, name: string): string => `${kind}.${name}[m1]`;
  const containers = Object.values(desired.containers);
  for (const c of containers) {
    const dependents = containers.filter((o) => c.name in o.depends_on).map((o) => at('container', o.name));
    nodes.push(node(at('container', c.name), 'delete', dependents));
  }
  for (const n of Object.keys(desired.networks)) nodes.push(node(at('network', n), 'delete', containers.filter((c) => n in c.networks).map((c) => at('container', c.name))));
  for (const v of Object.keys(desired.volumes))
    nodes.push(node(at('volume', v), 'delete', containers.filter((c) => c.volumes.some((m) => m.source === v)).map((c) => at('container', c.name))));
  return planOf(nodes, desired.project);
}

export function memoryStore(): { writes: State[]; write(s: State): Promise<State> } {
  const writes: State[] = [];
  return {
    writes,
    async write(s: State) {
      const next = { ...structuredClone(s), serial: s.serial + 1 };
      writes.push(next);
      return next;
    },
  };
}
