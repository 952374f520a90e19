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

export interface ObservedMachine {
  name: string;
  status: MachineStatus;
  /** Why status is error or unknown, one line. */
  error?: string;
  /** Engine-level facts when the engine answered. */
  dockerVersion?: string;
  /** The host answered (driver status running) but its engine did not: a re-provision can restart it. */
  engineDown?: boolean;
  containers: ObservedContainer[];
  networks: ObservedNetwork[];
  volumes: ObservedVolume[];
  images: ObservedImage[];
  /** The engine's own swarm membership (docker info). */
  swarm?: ObservedSwarmLocal;
}

export interface Observed {
  /** false when refresh was skipped (--refresh=false): the planner trusts the prior state. */
  refreshed: boolean;
  machines: Record<string, ObservedMachine>;
  /** Services, tasks, nodes and swarm objects as a manager of the project's swarm reports them. */
  swarm?: ObservedSwarm;
}
