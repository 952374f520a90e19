import type { ObservedSwarm, ObservedSwarmLocal } from './swarm.js';
// Observed: what refresh found on the live hosts, in one pass, before planning.

export type MachineStatus = 'running' | 'stopped' | 'missing' | 'unknown' | 'error';

export interface ObservedContainer {
  id: string;
  /** Engine name without the leading slash. */
  name: string;
  labels: Record<string, string>;
  /** created | running | paused | restarting | removing | exited | dead */
  state: string;
  /** Exit code when state is exited (explains "stopped outside mfile" and lets one-shot containers finish). */
  exitCode?: number;
  health?: 'starting' | 'healthy' | 'unhealthy';
  imageId: string;
  image: string;
}

export interface ObservedNetwork {
  id: string;
  name: string;
  labels: Record<string, string>;
}

export interface ObservedVolume {
  name: string;
  labels: Record<string, string>;
}

export interface ObservedImage {
  id: string;
  repoTags: string[];
  /** `name@sha256:...` entries, so digest-pinned refs are found too. */
  repoDigests?: string[];
}

/** What the engine says it can do (docker info, docker version), for keys that need it. */
export interface EngineFacts {
  /** Engine API version, e.g. 1.41. */
  apiVersion: string;
  /** 1 or 2, when the engine says. */
  cgroupVersion?: string;
  oomKillDisable: boolean;
  cpuCfsPeriod: boolean;
  cpuCfsQuota: boolean;
  cpuSet: boolean;
  /** Names of the OCI runtimes the engine has (runc, nvidia, ...). */
  runtimes: string[];
}

export interface ObservedMachine {
  name: string;
  status: MachineStatus;
  /** Why status is error or unknown, one line. */
  error?: string;
  /** Engine-level facts when the engine answered. */
  dockerVersion?: string;
  engine?: EngineFacts;
  /** The host answered (driver status running) but its engine did not: a re-provision can restart it. */
  engineDown?: boolean;
  containers: ObservedContainer[];
  networks: ObservedNetwork[];
  volumes: ObservedVolume[];
  images: ObservedImage[];
  /**
   * Tags of declared registries' images used on this machine, resolved through its engine
   * (GET /distribution/NAME/json): reference -> the registry's digest for it, or why it could not be checked.
   */
  tags?: Record<string, TagLookup>;
  /** The engine's own swarm membership (docker info). */
  swarm?: ObservedSwarmLocal;
  /** For a machine that a create may make (no host yet, or its options changed): what that create would choose. */
  createChoices?: CreateChoices;
}

/**
 * What a create of the machine would choose on this computer, found by I/O at refresh (the accelerator a VM
 * gets): the plan shows it and carries it, so the create uses it instead of finding out again.
 */
export interface CreateChoices {
  /** One line for the plan, e.g. `tcg: a KVM probe guest did not run within 5 s`. */
  summary: string;
  /** What the driver's create reads back (empty when nothing was probed). */
  values: Record<string, string>;
}

export type TagLookup = { digest: string } | { error: string };

export interface Observed {
  /** false when refresh was skipped (--refresh=false): the planner trusts the prior state. */
  refreshed: boolean;
  /** When refresh ran (ISO 8601): time-based pull policies (daily, every_12h) compare the last pull with it. */
  at?: string;
  machines: Record<string, ObservedMachine>;
  /** Services, tasks, nodes and swarm objects as a manager of the project's swarm reports them. */
  swarm?: ObservedSwarm;
}
