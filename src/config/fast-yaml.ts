// A quick read of machines.yml for the common case, a valid file: js-yaml builds plain data about ten times
// faster and in a quarter of the memory of the positioned reader (read-yaml.ts), which is needed only to place
// an error. The result is the data the positioned reader gives (YAML 1.2 core schema, `mode: 0440` octal), or
// undefined wherever the two readers might differ: the caller then takes the positioned path, which also
// reports every error. So a file that js-yaml refuses, or that uses a feature treated differently by the two
// libraries (anchors and aliases, merge keys, tags, directives, complex or null keys, quoted and flow values
// over several lines), is never read here.
import { FAILSAFE_SCHEMA, Type, load, type State } from 'js-yaml';
import type { ConfigSource } from './config-source.js';
import type { Raw } from './context.js';
import type { SubstitutionSlot } from './interpolate.js';
import { unplaced } from './placer.js';
import { RESERVED_KEY } from './reserved-keys.js';

/** A plain (unquoted) scalar holding `$`: after substitution it takes the type its text has (`port: ${p}`). */
class PlainRef {
  constructor(readonly text: string) {}
  get [Symbol.toStringTag](): string {
    return 'PlainRef';
  }
  toString(): string {
    return this.text;
  }
}

/**
 * A plain `0755`: decimal 755 in YAML 1.2, but octal under a `mode:` key (see fixOctalModes in read-yaml.ts).
 * Which one is known only once the key is, so the number waits in this box until the data is walked.
 */
class ZeroLedInt {
  constructor(readonly text: string) {}
  // js-yaml turns an object used as a key into '[object Object]' unless its class tag says otherwise.
  get [Symbol.toStringTag](): string {
    return 'ZeroLedInt';
  }
  toString(): string {
    return String(parseInt(this.text, 10));
  }
}

// The YAML 1.2 core schema as the `yaml` package resolves plain scalars, in the same order and with the same
// conversions.
const CORE: [RegExp, (s: string) => unknown][] = [
  [/^(?:~|[Nn]ull|NULL)?$/, () => null],
  [/^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/, (s) => s[0] === 't' || s[0] === 'T'],
  [/^0o[0-7]+$/, (s) => parseInt(s.substring(2), 8)],
  [/^[-+]?[0-9]+$/, (s) => (/^0[0-7]+$/.test(s) ? new ZeroLedInt(s) : parseInt(s, 10))],
  [/^0x[0-9a-fA-F]+$/, (s) => parseInt(s.substring(2), 16)],
  [
    /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/,
    (s) => (s.slice(-3).toLowerCase() === 'nan' ? NaN : s[0] === '-' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY),
  ],
  [/^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/, (s) => parseFloat(s)],
  [/^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/, (s) => parseFloat(s)],
];
/** First characters of every text that CORE matches (empty text aside): most names skip the regexes. */
const CORE_START = /^[-+.~0-9nNtTfF]/;

// js-yaml calls construct right after a resolve that said yes, with the same text: the value is kept between.
let resolved: unknown;
function resolveCore(s: string): boolean {
  if (s === '' || CORE_START.test(s)) {
    for (const [re, make] of CORE) {
      if (re.test(s)) {
        resolved = make(s);
        return true;
      }
    }
  }
  if (s.includes('$')) {
    resolved = new PlainRef(s);
    return true;
  }
  return false;
}

// A private tag name, so that an explicit `!!int` is unknown here and sends the file to the positioned reader.
const CORE_TAG = 'tag:mfile.invalid,2026:core';
const CORE_TYPE = new Type(CORE_TAG, {
  kind: 'scalar',
  resolve: (s: unknown) => typeof s === 'string' && resolveCore(s),
  construct: () => resolved,
});
const SCHEMA = FAILSAFE_SCHEMA.extend({ implicit: [CORE_TYPE] });

/**
 * Text the fast path leaves alone: a CR that is not part of CRLF (`yaml` does not end a line there, js-yaml
 * does), directives (`%YAML 1.1`
 * changes the schema), merge keys, verbatim tags, explicit `?` keys and flow collections used as keys (the two
 * libraries turn such keys into different strings). Cheap and coarse: a false alarm only costs time.
 */
const AVOID = /\r(?!\n)|^%|<<|!<|(?:^|[\s,[{])\?(?:[ \t]|$)|[\]}][ \t]*:(?:[ \t]|$)/m;

/** Keys that one library writes differently from the other (a null key) or that touch the prototype. */
const AVOID_KEYS = new Set(['', 'null', 'Null', 'NULL', '~', '__proto__', '<<', '[object Object]']);

class Differs extends Error {}

/** A value holding `$`, where it sits in the data, and the slot that interpolate() substitutes in place. */
interface Ref {
  parent: Record<string, unknown> | unknown[];
  key: string | number;
  slot: SubstitutionSlot;
}

/**
 * Settles the boxed values and checks every key, in document order; throws Differs when the two readers could
 * differ. Values holding `${` are collected when `refs` is given (not under the top-level `variables`).
 */
function settle(v: unknown, parent: Ref['parent'], key: string | number, refs: Ref[] | undefined): unknown {
  if (v instanceof ZeroLedInt) return key === 'mode' ? parseInt(v.text, 8) : parseInt(v.text, 10);
  if (v instanceof PlainRef) {
    refs?.push({ parent, key, slot: { value: v.text, type: 'PLAIN' } });
    return v.text;
  }
  if (typeof v === 'string') {
    if (refs && v.includes('$')) refs.push({ parent, key, slot: { value: v, type: 'QUOTE_DOUBLE' } });
  } else if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const item = v[i];
      // A reserved name in a list (checkReservedKeys): the positioned reader reports it in place.
      if (typeof item === 'string' && (item === RESERVED_KEY || item.startsWith(`${RESERVED_KEY}=`))) throw new Differs();
      v[i] = settle(item, v, i, refs);
    }
  } else if (v !== null && typeof v === 'object') {
    const map = v as Record<string, unknown>;
    for (const k of Object.keys(map)) {
      if (AVOID_KEYS.has(k)) throw new Differs();
      map[k] = settle(map[k], map, k, refs);
    }
  }
  return v;
}

/**
 * Reads a decoded machines.yml quickly, or returns undefined: then read it with the positioned reader. Its placer
 * places nothing: any issue sends the file back to the positioned reader.
 */
export function readFast(file: string, text: string): ConfigSource | undefined {
  const data = fastYaml(text);
  if (!data) return undefined;
  const refs: Ref[] = [];
  try {
    for (const k of Object.keys(data)) {
      if (AVOID_KEYS.has(k)) return undefined;
      data[k] = settle(data[k], data, k, k === 'variables' ? undefined : refs);
    }
  } catch (err) {
    if (err instanceof Differs) return undefined;
    throw err;
  }
  return {
    placer: unplaced(file),
    variables: () => data.variables,
    slots: () => refs.map((r) => r.slot),
    checkTree: () => undefined,
    data: (): Raw => {
      for (const r of refs) (r.parent as Record<string | number, unknown>)[r.key] = r.slot.value;
      return data;
    },
  };
}

/**
 * True when the node from `start` to `end` is a quoted or plain scalar or a flow collection that runs over more
 * than one line. js-yaml lets such a node's later lines sit less indented than its block (`yaml` refuses), so
 * these go to the positioned reader. Block scalars (| and >) and block collections stay here.
 */
function spansLines(input: string, start: number, end: number, kind: string | null): boolean {
  let i = start;
  while (i < end) {
    const c = input.charCodeAt(i);
    if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) i++;
    else if (c === 0x23) while (i < end && input.charCodeAt(i) !== 0x0a) i++; // a comment before the node
    else break;
  }
  const first = input[i];
  if (first === '|' || first === '>') return false;
  if (kind !== 'scalar' && first !== '[' && first !== '{') return false;
  for (let j = i; j < end; j++) if (input.charCodeAt(j) === 0x0a) return true;
  return false;
}

/** js-yaml's data for the text, when it is a mapping read with only the features both readers treat alike. */
function fastYaml(text: string): Record<string, unknown> | undefined {
  if (AVOID.test(text)) return undefined;
  let plainOnly = true;
  const starts: number[] = [];
  const listener = (event: string, state: State): void => {
    if (event === 'open') {
      starts.push(state.position);
      return;
    }
    const start = starts.pop() ?? 0;
    const s = state as State & { tag: string | null; anchor: string | null };
    // Anchors (aliases need one): alias limits and shared objects differ. Tags other than the implicit ones.
    if (s.anchor !== null || (s.tag !== null && s.tag !== '?' && s.tag !== CORE_TAG)) plainOnly = false;
    else if (plainOnly && spansLines(text, start, s.position, s.kind)) plainOnly = false;
  };
  try {
    const data: unknown = load(text, { schema: SCHEMA, listener });
    if (!plainOnly || data === null || typeof data !== 'object' || Array.isArray(data)) return undefined;
    return data as Record<string, unknown>;
  } catch {
    return undefined; // js-yaml refused the file: the positioned reader says why
  }
}
