// The driver plugin protocol (docs/driver-protocol.md): version, methods, their timeouts and the shapes on the wire.
import type { LifecycleOperation } from '../../model/driver-traits.js';

export const PROTOCOL_VERSION = '1.0';
export const PROTOCOL_MAJOR = 1;
/** Executables named PREFIX + NAME are plugins for `driver: NAME`. */
export const PLUGIN_PREFIX = 'mfile-driver-';

export type MachineMethod =
  | 'preCreateCheck'
  | 'create'
  | 'status'
  | LifecycleOperation
  | 'remove'
  | 'address'
  | 'engineUrl';
export type Method = 'handshake' | 'describe' | MachineMethod;

/** Seconds each call may take before the plugin is killed (MFILE_DRIVER_PLUGIN_TIMEOUT replaces them all). */
export const TIMEOUT_SECONDS: Record<Method, number> = {
  handshake: 10,
  describe: 10,
  preCreateCheck: 60,
  create: 300,
  status: 30,
  start: 120,
  stop: 120,
  restart: 120,
  kill: 30,
  remove: 300,
  address: 30,
  engineUrl: 30,
};

/** Any other method (the conformance check's unknown one) gets this long. */
const OTHER_SECONDS = 30;

export function timeoutSeconds(method: Method | string, env: NodeJS.ProcessEnv = process.env): number {
  const override = Number(env.MFILE_DRIVER_PLUGIN_TIMEOUT);
  return override > 0 ? override : (TIMEOUT_SECONDS[method as Method] ?? OTHER_SECONDS);
}

/** The params of every machine operation. */
export interface MachineParams {
  machine: { name: string; options: Record<string, unknown>; engine: { port: number; transport: 'tcp' | 'ssh' } };
  driverData: Record<string, unknown>;
  project: string;
  stateDir: string;
  machineDir: string;
  /** Provisioned drivers only: the key pair mfile made for the machine. */
  ssh?: { publicKey: string; identityFile: string };
}

/** The major number of a "MAJOR.MINOR" version, or NaN. */
export function majorOf(version: unknown): number {
  const m = typeof version === 'string' ? /^(\d+)\.\d+$/.exec(version) : null;
  return m ? Number(m[1]) : NaN;
}

/** Standard JSON-RPC codes the protocol uses. */
export const METHOD_NOT_FOUND = -32601;
export const INVALID_PARAMS = -32602;
export const DRIVER_FAILURE = -32000;
