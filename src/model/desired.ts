// Desired: machines.yml after parsing, validation, interpolation and normalisation.
// Every short form of Compose is turned into its long form here, so later stages read one shape.

import type { DriverCatalog, DriverTraits } from './driver-traits.js';
import type { DesiredSwarm } from './swarm.js';

/** A driver's name as machines.yml writes it: a built-in driver or a plugin (the catalog of the run knows which). */
export type DriverName = string;

export interface EngineSpec {
  install: 'auto' | 'never';
  /** URL of an install script, used instead of the distribution's packages when set. */
  installScript?: string;
  port: number;
  /** tcp: Docker API on PORT with mutual TLS; ssh: through the machine's SSH connection to its unix socket. */
  transport: 'tcp' | 'ssh';
  labels: Record<string, string>;
  registryMirrors: string[];
  insecureRegistries: string[];
  storageDriver?: string;
  logDriver?: string;
  logOpts: Record<string, string>;
  /** Free map merged into /etc/docker/daemon.json. */
  daemon: Record<string, unknown>;
  /** On remove, also delete the daemon config mfile wrote (generic driver). */
  uninstall: boolean;
}

export interface TlsSpec {
  enabled: boolean;
  /** Extra subject alternative names for the server certificate. */
  san: string[];
  /** For driver none: client material for an existing engine. */
  ca?: string;
  cert?: string;
  key?: string;
}

export interface MachineSpec {
  name: string;
  driver: DriverName;
  /** The driver's own block (`generic: {...}`, `sandbox: {...}`), interpolated, defaults applied. */
  driverOptions: Record<string, unknown>;
  /** What the driver declares about itself (from the catalog the config was loaded with). */
  traits: DriverTraits;
  engine: EngineSpec;
  tls: TlsSpec;
}

export interface NetworkSpec {
  name: string;
  driver: string;
  driverOpts: Record<string, string>;
  internal: boolean;
  attachable: boolean;
  enableIpv6: boolean;
  labels: Record<string, string>;
  ipam?: {
    driver?: string;
    config: { subnet?: string; gateway?: string; ip_range?: string; aux_addresses?: Record<string, string> }[];
    options?: Record<string, string>;
  };
  /** external: true means mfile uses it but never creates or removes it. */
  external: boolean;
  /** Compose `name:`: the engine's name for it, instead of <project>_<name> (usual with external). */
  engineName?: string;
}

export interface VolumeSpec {
  name: string;
  driver: string;
  driverOpts: Record<string, string>;
  labels: Record<string, string>;
  external: boolean;
  /** Compose `name:`: the engine's name for it, instead of <project>_<name> (usual with external). */
  engineName?: string;
}

export interface PortSpec {
  target: number;
  published?: string;
  host_ip?: string;
  protocol: 'tcp' | 'udp' | 'sctp';
  mode?: 'host' | 'ingress';
}

export interface MountSpec {
  type: 'volume' | 'bind' | 'tmpfs';
  /** Volume name (as in machines.yml) or host path for binds; absent for tmpfs and anonymous volumes. */
  source?: string;
  target: string;
  read_only: boolean;
  bind?: { create_host_path?: boolean; propagation?: string };
  volume?: { nocopy?: boolean };
  tmpfs?: { size?: number; mode?: number };
}

export interface HealthcheckSpec {
  test: string[];
  /** Durations in nanoseconds, as the Engine API takes them. */
  interval?: number;
  timeout?: number;
  start_period?: number;
  start_interval?: number;
  retries?: number;
  disable: boolean;
}

export interface DependsOnSpec {
  condition: 'service_started' | 'service_healthy' | 'service_completed_successfully';
  required: boolean;
  restart: boolean;
}

export interface ServiceNetworkSpec {
  aliases: string[];
  ipv4_address?: string;
  ipv6_address?: string;
  priority?: number;
}

export interface BuildSpec {
  context: string;
  dockerfile?: string;
  args: Record<string, string>;
  target?: string;
}

export interface SecretMountSpec {
  /** Secret name as declared under top-level `secrets`. */
  source: string;
  /** Path inside the container. */
  target: string;
  mode: number;
}

/**
 * A container in its normalised form. Field names follow the Compose specification;
 * sizes are bytes, durations are nanoseconds, cpus is a float.
 */
export interface ContainerSpec {
  name: string;
  machines: string[];
  image: string;
  pull_policy: 'always' | 'missing' | 'never' | 'build';
  build?: BuildSpec;
  container_name?: string;
  command?: string[];
  entrypoint?: string[];
  environment: Record<string, string>;
  labels: Record<string, string>;
  ports: PortSpec[];
  expose: string[];
  volumes: MountSpec[];
  networks: Record<string, ServiceNetworkSpec>;
  network_mode?: string;
  depends_on: Record<string, DependsOnSpec>;
  restart: 'no' | 'always' | 'on-failure' | 'unless-stopped' | string;
  healthcheck?: HealthcheckSpec;
  user?: string;
  working_dir?: string;
  hostname?: string;
  domainname?: string;
  read_only: boolean;
  privileged: boolean;
  cap_add: string[];
  cap_drop: string[];
  security_opt: string[];
  devices: string[];
  sysctls: Record<string, string>;
  shm_size?: number;
  stdin_open: boolean;
  tty: boolean;
  init: boolean;
  platform?: string;
  runtime?: string;
  pid?: string;
  ipc?: string;
  stop_signal?: string;
  stop_grace_period?: number;
  extra_hosts: string[];
  dns: string[];
  dns_search: string[];
  tmpfs: string[];
  ulimits: Record<string, { soft: number; hard: number }>;
  logging?: { driver?: string; options: Record<string, string> };
  mem_limit?: number;
  mem_reservation?: number;
  /** Memory plus swap, bytes; -1 = unlimited swap. */
  memswap_limit?: number;
  cpus?: number;
  cpu_shares?: number;
  pids_limit?: number;
  secrets: SecretMountSpec[];
  replicas: number;
  /** deploy.update_config: a changed container is replaced one batch of machines at a time. */
  update_config?: UpdateConfigSpec;
}

/** Compose's deploy.update_config for a container on several machines (durations in nanoseconds). */
export interface UpdateConfigSpec {
  /** Machines replaced at once; 0 = all at once. */
  parallelism: number;
  /** Wait between batches. */
  delay: number;
  order: 'stop-first' | 'start-first';
  failure_action: 'rollback' | 'pause' | 'continue';
  /** How long a new container must keep running (and not turn unhealthy) before its batch counts as done. */
  monitor: number;
}

export interface SecretSpec {
  name: string;
  /** Absolute path of the file on the controller. */
  file: string;
}

export interface VariableValue {
  value: string;
  sensitive: boolean;
}

/** [sensitive value, hex scrypt digest of it]. */
export type SensitiveDigest = [value: string, digest: string];

export interface Desired {
  project: string;
  /** Absolute path of machines.yml. */
  configPath: string;
  /** sha256 of the config file bytes and the resolved variable values (hex); recorded in saved plans. */
  configDigest: string;
  variables: Record<string, VariableValue>;
  /** Every resolved value of a sensitive variable, for masking any output. */
  sensitiveValues: string[];
  /** Each sensitive value with its slow salted digest, which stands for it inside config hashes. */
  sensitiveDigests?: SensitiveDigest[];
  /** Numbers that scalars holding a sensitive value became (sizes, durations, counts): masked like the value. */
  sensitiveNumbers?: number[];
  machines: Record<string, MachineSpec>;
  networks: Record<string, NetworkSpec>;
  volumes: Record<string, VolumeSpec>;
  secrets: Record<string, SecretSpec>;
  containers: Record<string, ContainerSpec>;
  /** Swarm mode: roles of machines, services, swarm configs (absent when the file declares none). */
  swarm?: DesiredSwarm;
  /** The drivers this config was checked against; also gives the traits of machines only the state names. */
  drivers: DriverCatalog;
}
