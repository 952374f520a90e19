// The driver interface: request objects in, response objects out, so fakes and dry-run wrappers fit unchanged.
import type { CreateChoices, DriverTraits, MachineSpec, MachineStatus, PriorHost, SshAddress } from '../model/index.js';
import type { EngineEndpoint } from '../model/engine-endpoint.js';

export type { EngineEndpoint };

export interface DriverContext {
  /** The state folder (.mfile beside the config); per-machine files go in machines/NAME/. */
  stateDir: string;
  project: string;
  signal?: AbortSignal;
  /** One-line progress notes for the current step. */
  log?: (line: string) => void;
}

export interface MachineRequest {
  machine: MachineSpec;
  /** What a previous create returned (empty before create). */
  driverData: Record<string, unknown>;
  ctx: DriverContext;
  /** For remove: the host as the state recorded it (address and pinned keys); machine holds the new spec. */
  prior?: PriorHost;
  /** For create: what the plan carries from refresh's createChoices (absent when refresh did not probe). */
  choices?: Record<string, string>;
}

export interface CreateResponse {
  driverData: Record<string, unknown>;
}

export interface StatusResponse {
  status: MachineStatus;
  detail?: string;
}

export interface Driver {
  readonly name: string;
  /** What the driver is, as data (the same object the catalog holds): config, planner and steps read these. */
  readonly traits: DriverTraits;
  /** Cheap checks before anything is created (root, binaries, options). Throws DriverError. */
  preCreateCheck(req: MachineRequest): Promise<void>;
  create(req: MachineRequest): Promise<CreateResponse>;
  start(req: MachineRequest): Promise<void>;
  stop(req: MachineRequest): Promise<void>;
  restart(req: MachineRequest): Promise<void>;
  kill(req: MachineRequest): Promise<void>;
  remove(req: MachineRequest): Promise<void>;
  status(req: MachineRequest): Promise<StatusResponse>;
  /** SSH coordinates, or null for drivers without SSH (local, none). */
  address(req: MachineRequest): Promise<SshAddress | null>;
  engineUrl(req: MachineRequest): Promise<EngineEndpoint>;
  /** Drivers with trait createChoices: what a create would choose here (I/O, bounded), asked at refresh. */
  createChoices?(req: MachineRequest): Promise<CreateChoices>;
}
