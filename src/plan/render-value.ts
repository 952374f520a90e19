// How plan text shows one attribute value: as machines.yml would write it. Durations, sizes and file modes go
// back from engine units to "5s", "256m" and 0440; maps become aligned `KEY = value` blocks; long lists go one
// item per line. Display only: plan JSON and the state keep the engine's units.
import { canonicalJson } from './canonical.js';
import { shortForm } from './diff.js';
import { MASKED } from '../masking.js';
import { terminalLine } from '../terminal-text.js';

/** A value laid out for text: one line, a map block or a list block. */
export type Shown =
  | { kind: 'inline'; text: string }
  | { kind: 'map'; rows: [key: string, value: Shown][] }
  | { kind: 'list'; items: string[] };

type Unit = 'duration' | 'micros' | 'size' | 'mode';

/** Container attributes held in engine units (ns, bytes, numeric modes), by dotted path without list indexes. */
const CONTAINER_UNITS: Readonly<Record<string, Unit>> = {
  'healthcheck.interval': 'duration',
  'healthcheck.timeout': 'duration',
  'healthcheck.start_period': 'duration',
  'healthcheck.start_interval': 'duration',
  stop_grace_period: 'duration',
  mem_limit: 'size',
  mem_reservation: 'size',
  memswap_limit: 'size',
  shm_size: 'size',
  'volumes.tmpfs.size': 'size',
  'volumes.tmpfs.mode': 'mode',
  'secrets.mode': 'mode',
  cpu_rt_period: 'micros',
  cpu_rt_runtime: 'micros',
  'blkio_config.device_read_bps.rate': 'size',
  'blkio_config.device_write_bps.rate': 'size',
};

/** A list whose one-line form is longer than this goes one item per line. */
const INLINE_MAX = 60;

export const isMap = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** `value` at attribute `path` (dotted, e.g. `healthcheck.interval`); `units` for container attributes. */
export function shownValue(value: unknown, path: string, units: boolean): Shown {
  if (isMap(value)) {
    const keys = Object.keys(value).sort();
    if (keys.length === 0) return { kind: 'inline', text: '{}' };
    return { kind: 'map', rows: keys.map((k) => [showKey(k), shownValue(value[k], `${path}.${k}`, units)]) };
  }
  if (Array.isArray(value)) {
    if (value.length === 0) return { kind: 'inline', text: '[]' };
    const items = listItems(value, path, units);
    const text = `[${items.join(', ')}]`;
    return listGoesInline(text, items) ? { kind: 'inline', text } : { kind: 'list', items };
  }
  return { kind: 'inline', text: scalar(value, path, units) };
}

/** A list stays on one line unless that is long or it holds maps (secrets, mounts with options). */
export function listGoesInline(text: string, items: readonly string[]): boolean {
  return !(text.length > INLINE_MAX || items.some((i) => i.startsWith('{')));
}

/** The value on one line (`{ a = 1, b = "x" }`, `["a", "b"]`), whatever its length. */
export function inlineText(s: Shown): string {
  if (s.kind === 'inline') return s.text;
  if (s.kind === 'list') return `[${s.items.join(', ')}]`;
  return `{ ${s.rows.map(([k, v]) => `${k} = ${inlineText(v)}`).join(', ')} }`;
}

const BARE_KEY = /^[A-Za-z0-9_][A-Za-z0-9_.\-/]*$/;
// The same few dozen keys come back in every container of a large plan.
const shownKeys = new Map<string, string>();

/** A map key bare when it is a plain name, else quoted and escaped. */
export function showKey(key: string): string {
  let shown = shownKeys.get(key);
  if (shown === undefined) {
    shown = BARE_KEY.test(key) ? key : terminalLine(JSON.stringify(key));
    if (shownKeys.size < 4096) shownKeys.set(key, shown);
  }
  return shown;
}

export function listItems(list: unknown[], path: string, units: boolean): string[] {
  // Ports and mounts in their short form, unless a mount carries options the short form cannot say.
  const out: string[] = new Array(list.length);
  for (let i = 0; i < list.length; i++) {
    const v = list[i];
    if (v === null || typeof v !== 'object') {
      out[i] = scalar(v, path, units);
      continue;
    }
    const plain = isMap(v) && v.tmpfs === undefined && v.bind === undefined && v.volume === undefined;
    const item = plain ? (shortForm([v]) as unknown[])[0] : v;
    out[i] = inlineText(shownValue(item, path, units));
  }
  return out;
}

// Printable ASCII but `"` and `\`: JSON writes such a string as it is, and nothing in it needs escaping.
const PLAIN_STRING = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

export function scalar(value: unknown, path: string, units: boolean): string {
  if (value === MASKED) return MASKED;
  if (typeof value === 'string') return PLAIN_STRING.test(value) ? `"${value}"` : terminalLine(JSON.stringify(value));
  if (typeof value === 'number' && units) {
    const unit = CONTAINER_UNITS[path];
    if (unit === 'duration') return `"${duration(value)}"`;
    if (unit === 'micros') return `"${duration(value * 1e3)}"`;
    if (unit === 'size') return size(value);
    if (unit === 'mode') return mode(value);
  }
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  return terminalLine(canonicalJson(value));
}

const decimal = (n: number): string => String(Number(n.toFixed(9)));

/** Nanoseconds as Compose writes a duration: 5s, 1m30s, 1.5s, 100ms. */
export function duration(ns: number): string {
  if (!Number.isFinite(ns) || ns < 0) return String(ns);
  if (ns === 0) return '0s';
  const h = Math.floor(ns / 3600e9);
  const m = Math.floor((ns - h * 3600e9) / 60e9);
  const rest = ns - h * 3600e9 - m * 60e9;
  let out = `${h ? `${h}h` : ''}${m ? `${m}m` : ''}`;
  if (rest === 0) return out;
  if (out || rest >= 1e9) out += `${decimal(rest / 1e9)}s`;
  else if (rest >= 1e6) out += `${decimal(rest / 1e6)}ms`;
  else if (rest >= 1e3) out += `${decimal(rest / 1e3)}us`;
  else out += `${rest}ns`;
  return out;
}

/** Bytes as Compose writes a size when a unit fits exactly ("256m", "1g"), else the plain number. */
export function size(bytes: number): string {
  for (const [unit, pow] of [['t', 4], ['g', 3], ['m', 2], ['k', 1]] as const) {
    const base = 1024 ** pow;
    if (bytes >= base && bytes % base === 0) return `"${bytes / base}${unit}"`;
  }
  return String(bytes);
}

/** A file mode in octal, as it is written in YAML: 0440, 01777. */
export function mode(n: number): string {
  return Number.isInteger(n) && n >= 0 ? `0${n.toString(8).padStart(3, '0')}` : String(n);
}
