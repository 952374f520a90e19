import type { SwarmState } from './swarm.js';
// The state file (.mfile/state.json). Never holds a private key or a secret value in clear text.

export const STATE_FORMAT_VERSION = 1;

export type RecordStatus = 'pending' | 'created' | 'tainted';

export interface SshAddress {
  host: string;
  port: number;
  user: string;
  /** Path of the private key file on the controller (never the key itself). */
  identityFile?: string;
  useAgent?: boolean;
  sudo?: boolean;
  jump?: SshAddress;
}

export interface MachineRecord {
  name: string;
  driver: string;
  /** pending: a driver create started and did not finish; tainted: it failed. */
  status: RecordStatus;
  /** Driver options as applied (sensitive values masked), to explain replacements. */
  driverOptions: Record<string, unknown>;
  /** Whatever the driver needs to find the host again (ids, pids, ip); no secrets. */
  driverData: Record<string, unknown>;
  ssh?: SshAddress;
  /** SHA256 fingerprint (base64, as ssh-keygen -l prints) pinned on first contact. */
  hostKeyFingerprint?: string;
  /** The jump host's key, pinned the same way when the machine is reached through one. */
  jumpHostKeyFingerprint?: string;
  engineUrl?: string;
  /** Hash of the engine configuration provisioning wrote; unchanged hash = no daemon restart. */
  engineHash?: string;
  /** The engine attributes that went into engineHash, masked, to name what changed. */
  engine?: Record<string, unknown>;
  dockerVersion?: string;
  /** Set by `mfile stop`/`kill`, cleared by `mfile start`/`restart`: apply leaves a held machine stopped. */
  hold?: MachineHold;
  updatedAt: string;
}

/** Who stopped the machine and when (the power rule: a hold outlives every apply until start clears it). */
export interface MachineHold {
  verb: 'stop' | 'kill';
  at: string;
}

export type ObjectKind = 'container' | 'network' | 'volume' | 'image';

export interface ObjectRecord {
  address: string;
  kind: ObjectKind;
  machine: string;
  /** The name as written in machines.yml (io.mfile.name). */
  name: string;
  /** The engine's id (container id, network id, image id). */
  id?: string;
  configHash?: string;
  status: RecordStatus;
  /** Masked, normalised attributes as applied; used to explain diffs. */
  attributes: Record<string, unknown>;
  /** Set by `mfile import` when the adopted object differs from machines.yml: each difference, one line. */
  importDiff?: string[];
  updatedAt: string;
}

export interface State {
  version: number;
  mfile_version: string;
  lineage: string;
  serial: number;
  machines: Record<string, MachineRecord>;
  objects: Record<string, ObjectRecord>;
  /** Swarm mode: what mfile made in the project's swarm (absent until it makes one). */
  swarm?: SwarmState;
}

export interface LockInfo {
  id: string;
  operation: string;
  who: string;
  pid: number;
  created: string;
  /**
   * Which kernel and pid namespace `pid` belongs to, and when that process started: with these a later run on
   * the same host can tell for sure that the holder is gone (not a reused pid) and take the lock over.
   */
  process?: LockHolderProcess;
}

export interface LockHolderProcess {
  /** /proc/sys/kernel/random/boot_id and the pid namespace (/proc/self/ns/pid), joined by a space. */
  instance: string;
  /** Start time of `pid` in clock ticks since boot (/proc/PID/stat, field 22). */
  startTicks: number;
}
