// Attribute diffs: maps are compared key by key (environment.MODE), lists and scalars as a whole.
import { canonicalJson } from './canonical.js';

export interface AttributeChange {
  /** Dotted path: `image`, `environment.MODE`, `healthcheck.retries`. */
  path: string;
  /** undefined when the attribute is added. */
  before: unknown;
  /** undefined when the attribute is removed. */
  after: unknown;
}

const isMap = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Changes from `before` to `after`, sorted by path. */
export function diffAttributes(before: Record<string, unknown>, after: Record<string, unknown>): AttributeChange[] {
  const out: AttributeChange[] = [];
  walk(before, after, '', out);
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

function walk(before: Record<string, unknown>, after: Record<string, unknown>, prefix: string, out: AttributeChange[]): void {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  for (const k of keys) {
    const b = before[k];
    const a = after[k];
    const path = prefix + k;
    if (isMap(b) && isMap(a)) walk(b, a, `${path}.`, out);
    else if (b === undefined && a === undefined) continue;
    else if (b === undefined || a === undefined || canonicalJson(a) !== canonicalJson(b)) out.push({ path, before: b, after: a });
  }
}

const MAX_VALUE = 80;

/** A value on one line for a reason: strings bare, ports and mounts in their short form, the rest as JSON. */
export function formatValue(value: unknown): string {
  const s = formatLong(value);
  return s.length > MAX_VALUE ? `${s.slice(0, MAX_VALUE - 1)}…` : s;
}

function formatLong(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) {
    if (value.every((v) => typeof v === 'string')) return `[${value.join(', ')}]`;
    return `[${value.map(formatItem).join(', ')}]`;
  }
  return canonicalJson(value);
}

/** Ports and mounts in their short form (`8080:80/tcp`, `data:/var/lib/app:ro`); other values unchanged. */
export function shortForm(value: unknown): unknown {
  if (!Array.isArray(value) || value.length === 0 || !value.every((v) => isMap(v) && isPortOrMount(v))) return value;
  return value.map(formatItem);
}

function isPortOrMount(v: Record<string, unknown>): boolean {
  return (typeof v.target === 'number' && typeof v.protocol === 'string') || (typeof v.target === 'string' && typeof v.type === 'string');
}

function formatItem(v: unknown): string {
  if (!isMap(v)) return typeof v === 'string' ? v : canonicalJson(v);
  // PortSpec: [host_ip:][published:]target/protocol
  if (typeof v.target === 'number' && typeof v.protocol === 'string') {
    const host = [v.host_ip, v.published].filter((x) => x !== undefined).join(':');
    return `${host ? `${host}:` : ''}${v.target}/${v.protocol}`;
  }
  // MountSpec: source:target[:ro] (type prefix for tmpfs and binds without a source)
  if (typeof v.target === 'string' && typeof v.type === 'string') {
    const src = typeof v.source === 'string' ? `${v.source}:` : v.type === 'volume' ? '' : `${v.type}:`;
    return `${src}${v.target}${v.read_only ? ':ro' : ''}`;
  }
  return canonicalJson(v);
}

/** `image changed: nginx:1.26 -> nginx:1.27`, `environment.NEW added: x`, `ports removed (was [80/tcp])`. */
export function changeReason(c: AttributeChange): string {
  if (c.before === undefined) return `${c.path} added: ${formatValue(c.after)}`;
  if (c.after === undefined) return `${c.path} removed (was ${formatValue(c.before)})`;
  return `${c.path} changed: ${formatValue(c.before)} -> ${formatValue(c.after)}`;
}
