// A driver's create flags (GetCreateFlags) as plain data, and the values SetConfigFromFlags takes.
import type { GobType, GobValue } from './gob/index.js';
import { GobError, GobInterface, gobBool, gobInt, gobInterface, gobString } from './gob/index.js';
import { REGISTERED, rpcFlags, stringSliceInInterface } from './protocol-types.js';

export type FlagKind = 'string' | 'int' | 'bool' | 'string-slice';
export type FlagValue = string | number | boolean | string[];

export interface DockerMachineFlag {
  kind: FlagKind;
  /** As the driver names it, e.g. "generic-ip-address". */
  name: string;
  usage: string;
  /** The environment variable Docker Machine would read it from ("" when none). */
  envVar: string;
  /** The driver's default (a bool flag's is false: Docker Machine passes false when it is not set). */
  default: FlagValue;
}

const KINDS: Record<string, FlagKind> = {
  [REGISTERED.stringFlag]: 'string',
  [REGISTERED.intFlag]: 'int',
  [REGISTERED.boolFlag]: 'bool',
  [REGISTERED.stringSliceFlag]: 'string-slice',
};

/** GetCreateFlags' reply ([]mcnflag.Flag) as flags; a flag type Docker Machine does not define is refused. */
export function flagsFromReply(reply: GobValue): DockerMachineFlag[] {
  if (!Array.isArray(reply)) throw new GobError('GetCreateFlags did not answer with a list');
  return reply.map((item) => {
    if (!(item instanceof GobInterface)) throw new GobError('GetCreateFlags answered with a nil flag');
    const kind = KINDS[item.name];
    if (!kind) throw new GobError(`GetCreateFlags answered with an unknown flag type ${item.name}`);
    const f = item.value as { Name: string; Usage: string; EnvVar: string; Value?: GobValue };
    const dflt: FlagValue = kind === 'bool' ? false : kind === 'string-slice' ? ((f.Value as string[] | undefined) ?? []) : (f.Value as string | number);
    return { kind, name: f.Name, usage: f.Usage, envVar: f.EnvVar, default: dflt };
  });
}

/** The interface value SetConfigFromFlags takes: *rpcdriver.RPCFlags{Values: name -> value}. */
export function rpcFlagsArgument(values: ReadonlyMap<string, FlagValue>): { type: GobType; value: GobInterface } {
  const entries = new Map<string, GobInterface>();
  for (const [name, v] of values) entries.set(name, boxed(name, v));
  return { type: gobInterface, value: new GobInterface(REGISTERED.rpcFlags, rpcFlags, { Values: entries }) };
}

function boxed(name: string, v: FlagValue): GobInterface {
  if (typeof v === 'string') return new GobInterface('string', gobString, v);
  if (typeof v === 'boolean') return new GobInterface('bool', gobBool, v);
  if (typeof v === 'number' && Number.isSafeInteger(v)) return new GobInterface('int', gobInt, v);
  if (Array.isArray(v) && v.every((s) => typeof s === 'string')) return new GobInterface('[]string', stringSliceInInterface, v);
  throw new GobError(`flag ${name}: ${JSON.stringify(v)} is not a string, integer, boolean or list of strings`);
}
