// The names a state file holds are checked with machines.yml's rules before anything uses them: a machine's
// name becomes a folder under .mfile/machines (removed with the machine), object names become engine names.
import {
  MACHINE_NAME_RULE, OBJECT_NAME_RULE, SENSITIVE_IMAGE_NAME_RE, isImageReference, isMachineName, isObjectName, parseAddress,
} from '../model/index.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const q = (s: string): string => JSON.stringify(s);

// A build's default tag (`<project>-<name>`) may end in a separator the reference grammar does not allow.
const BUILT_IMAGE_RE = /^[a-z0-9][a-z0-9_.-]{0,200}$/;

function objectNameOk(kind: string, name: string): boolean {
  if (kind !== 'image') return isObjectName(name);
  return isImageReference(name) || BUILT_IMAGE_RE.test(name) || SENSITIVE_IMAGE_NAME_RE.test(name);
}

/** The first bad name in `machines` or `objects`, worded with its key; undefined when all are good. */
export function stateNameProblem(machines: Obj, objects: Obj): string | undefined {
  // The labels are made only for the message: a 10,000-record state has no use for 10,000 of them.
  for (const [key, rec] of Object.entries(machines)) {
    const at = (): string => `machines[${q(key)}]`;
    if (!isMachineName(key)) return `${at()}: a machine name must be ${MACHINE_NAME_RULE}`;
    if (!isObj(rec)) return `${at()}: expected an object`;
    if (rec.name !== key) return `${at()}.name: expected ${q(key)}`;
    if (typeof rec.driver !== 'string') return `${at()}.driver: expected a string`;
    for (const k of ['driverOptions', 'driverData']) if (!isObj(rec[k])) return `${at()}.${k}: expected an object`;
  }
  for (const [key, rec] of Object.entries(objects)) {
    const at = (): string => `objects[${q(key)}]`;
    const a = parseAddress(key);
    if (!a || a.kind === 'machine') return `${at()}: expected an address KIND.NAME[MACHINE]`;
    if (!isMachineName(a.machine)) return `${at()}: a machine name must be ${MACHINE_NAME_RULE}`;
    if (!objectNameOk(a.kind, a.name)) {
      return `${at()}: ${a.kind === 'image' ? 'not a valid image reference' : `an object name must be ${OBJECT_NAME_RULE}`}`;
    }
    if (!isObj(rec)) return `${at()}: expected an object`;
    if (rec.address !== key) return `${at()}.address: expected ${q(key)}`;
    if (rec.kind !== a.kind) return `${at()}.kind: expected ${q(a.kind)}`;
    if (rec.machine !== a.machine) return `${at()}.machine: expected ${q(a.machine)}`;
    if (rec.name !== a.name) return `${at()}.name: expected ${q(a.name)}`;
    if (rec.id !== undefined && typeof rec.id !== 'string') return `${at()}.id: expected a string`;
  }
  return undefined;
}
