// Swarm mode: what machines.yml declares (roles, services, swarm secrets and configs), what refresh reads from
// a manager, what each swarm plan node carries for its step, and what the state remembers of the swarm.
import type { HealthcheckSpec, PortSpec, SecretMountSpec } from './desired.js';

export type SwarmRole = 'manager' | 'worker';

/** Durations are nanoseconds, as the Engine API takes them. */
export interface SwarmUpdateConfig {
  parallelism: number;
  delay?: number;
  failure_action: 'continue' | 'rollback' | 'pause';
  monitor?: number;
  max_failure_ratio?: number;
  order: 'stop-first' | 'start-first';
}

export interface ServiceDeploySpec {
  mode: 'replicated' | 'global';
  replicas: number;
  endpoint_mode: 'vip' | 'dnsrr';
  labels: Record<string, string>;
  placement: { constraints: string[]; preferences: string[]; max_replicas_per_node?: number };
  resources: { limits: { cpus?: number; memory?: number; pids?: number }; reservations: { cpus?: number; memory?: number } };
  /** condition: Compose's none, on-failure or any. */
  restart_policy?: { condition: string; delay?: number; max_attempts?: number; window?: number };
  update_config?: SwarmUpdateConfig;
  rollback_config?: SwarmUpdateConfig;
}

/** A service of the top-level `services:` block, normalised (Compose keys, as `docker stack deploy` maps them). */
export interface ServiceSpec {
  name: string;
  image: string;
  command?: string[];
  entrypoint?: string[];
  environment: Record<string, string>;
  labels: Record<string, string>;
  ports: PortSpec[];
  /** Names under top-level `networks` (overlay). */
  networks: string[];
  secrets: SecretMountSpec[];
  configs: SecretMountSpec[];
  healthcheck?: HealthcheckSpec;
  user?: string;
  working_dir?: string;
  hostname?: string;
  stop_grace_period?: number;
  init: boolean;
  deploy: ServiceDeploySpec;
}

/** A swarm secret or config: a file on this computer, named on the engine by a digest of its content. */
export interface SwarmFileSpec {
  name: string;
  file: string;
  /** Digest of the content (slow and salted for secrets); absent when the file could not be read. */
  digest?: string;
}

export interface DesiredSwarm {
  /** Machines in the swarm, in machines.yml order, with their role. */
  roles: { machine: string; role: SwarmRole }[];
  /** Address pools for overlay networks; absent: the planner picks one clear of the machines' networks. */
  defaultAddrPool?: string[];
  subnetSize: number;
  services: Record<string, ServiceSpec>;
  configs: Record<string, SwarmFileSpec>;
  /** Digests of the top-level secrets the services use. */
  secretDigests: Record<string, string>;
}

// ---------------------------------------------------------------- observed

export interface ObservedSwarmLocal {
  /** inactive | pending | active | error | locked */
  state: string;
  nodeId?: string;
  clusterId?: string;
  isManager: boolean;
  /** The address this node advertises (NodeAddr). */
  addr?: string;
}

export interface ObservedSwarmNode {
  id: string;
  hostname: string;
  addr: string;
  role: SwarmRole;
  availability: string;
  /** ready | down | unknown | disconnected */
  state: string;
  /** The machine it is, when known (by its advertised address or the machine's own view). */
  machine?: string;
}

export interface ObservedService {
  id: string;
  name: string;
  version: number;
  labels: Record<string, string>;
  image: string;
  replicas?: number;
  running: number;
  updateState?: string;
  updateMessage?: string;
}

export interface ObservedSwarmObject {
  id: string;
  name: string;
  labels: Record<string, string>;
}

export interface ObservedSwarm {
  /** The manager machine that answered. */
  manager: string;
  clusterId: string;
  defaultAddrPool: string[];
  nodes: ObservedSwarmNode[];
  services: ObservedService[];
  networks: ObservedSwarmObject[];
  secrets: ObservedSwarmObject[];
  configs: ObservedSwarmObject[];
}

// ---------------------------------------------------------------- plan step data

export type SwarmStepData =
  | { op: 'init'; defaultAddrPool: string[]; subnetSize: number }
  | { op: 'join'; role: SwarmRole; manager: string; /** A node of this machine the manager still lists as down: removed after the join. */ staleNodeId?: string }
  | { op: 'role'; role: SwarmRole; manager: string; nodeId: string }
  | {
      op: 'leave'; manager?: string; nodeId?: string; wasManager: boolean; last: boolean; machineReachable: boolean;
      /** The machine is removed in the same apply: a failed leave is reported and does not keep the host. */
      machineRemoved?: true;
    }
  | {
      op: 'service';
      engineName: string;
      serviceId?: string;
      /** Hash of what the tasks run (not replicas or update settings): tasks carrying it are of this spec. */
      taskHash: string;
      /** Engine names chosen by the planner for what the service refers to. */
      networks: Record<string, string>;
      secrets: Record<string, string>;
      configs: Record<string, string>;
    }
  | { op: 'object'; objectKind: 'network' | 'secret' | 'config'; engineName: string; id?: string; digest?: string };

// ---------------------------------------------------------------- state

export interface SwarmStateNode {
  role: SwarmRole;
  nodeId?: string;
}

export interface SwarmStateObject {
  kind: 'service' | 'network' | 'secret' | 'config';
  name: string;
  engineName: string;
  id?: string;
  configHash?: string;
  attributes: Record<string, unknown>;
}

/** What mfile made in the swarm: the manager it talks to, the nodes it joined, the objects it made. */
export interface SwarmState {
  manager?: string;
  nodes: Record<string, SwarmStateNode>;
  objects: Record<string, SwarmStateObject>;
}

export const LABEL_SERVICE_HASH = 'io.mfile.service-hash';
export const LABEL_DIGEST = 'io.mfile.digest';
/** The image reference machines.yml gives a service whose spec runs it by content id (see serviceEngineSpec). */
export const LABEL_SERVICE_IMAGE = 'io.mfile.image';
