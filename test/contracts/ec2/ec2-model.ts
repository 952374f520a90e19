// The botocore model of EC2 as a contract: a form-encoded request is decoded member by member from its
// operation's input shape (EC2 query names, flattened lists `Name.N`), and every breach is reported: an unknown
// operation or member, a missing required member, a wrong type, a value outside an enum, a pattern, or a
// length/range bound.
// Answers are written as XML from the operation's output shape, and a fake answer that breaks it throws.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

interface MemberRef {
  shape: string;
  locationName?: string;
  queryName?: string;
}
interface Shape {
  type: string;
  members?: Record<string, MemberRef>;
  required?: string[];
  member?: MemberRef;
  enum?: string[];
  min?: number;
  max?: number;
  pattern?: string;
}
interface Operation {
  name: string;
  input?: { shape: string };
  output?: { shape: string };
}
interface Model {
  metadata: { apiVersion: string; xmlNamespace: string };
  operations: Record<string, Operation>;
  shapes: Record<string, Shape>;
}

const SPEC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../specs/aws-ec2/service-2.json');
let loaded: Model | undefined;
export function model(): Model {
  return (loaded ??= JSON.parse(readFileSync(SPEC, 'utf8')) as Model);
}

export type Value = string | number | boolean | Date | Value[] | { [k: string]: Value } | Buffer;

export interface Decoded {
  operation: string;
  input: Record<string, Value>;
  violations: string[];
}

const cap = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);
/** EC2's query name of a member: queryName, else the capitalised locationName, else the member's name. */
const queryName = (name: string, m: MemberRef): string => m.queryName ?? (m.locationName ? cap(m.locationName) : name);

function scalar(shapeName: string, s: Shape, raw: string, key: string, v: string[]): Value | undefined {
  switch (s.type) {
    case 'string':
      if (s.enum && !s.enum.includes(raw)) v.push(`${key}: "${raw}" is not one of ${shapeName}'s ${s.enum.length} values`);
      if (s.min !== undefined && raw.length < s.min) v.push(`${key}: shorter than ${s.min}`);
      if (s.max !== undefined && raw.length > s.max) v.push(`${key}: longer than ${s.max}`);
      if (s.pattern && !new RegExp(s.pattern).test(raw)) v.push(`${key}: "${raw}" does not match ${shapeName}'s pattern ${s.pattern}`);
      return raw;
    case 'integer':
    case 'long': {
      if (!/^-?\d+$/.test(raw)) return void v.push(`${key}: "${raw}" is not an integer`);
      const n = Number(raw);
      if (s.min !== undefined && n < s.min) v.push(`${key}: ${n} < ${s.min}`);
      if (s.max !== undefined && n > s.max) v.push(`${key}: ${n} > ${s.max}`);
      return n;
    }
    case 'double':
    case 'float':
      if (!Number.isFinite(Number(raw)) || raw === '') return void v.push(`${key}: "${raw}" is not a number`);
      return Number(raw);
    case 'boolean':
      if (raw !== 'true' && raw !== 'false') return void v.push(`${key}: "${raw}" is not a boolean`);
      return raw === 'true';
    case 'timestamp': {
      const d = new Date(raw);
      if (Number.isNaN(d.getTime())) return void v.push(`${key}: "${raw}" is not a timestamp`);
      return d;
    }
    case 'blob':
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(raw)) return void v.push(`${key}: not base64`);
      return Buffer.from(raw, 'base64');
    default:
      return void v.push(`${key}: scalar value for ${s.type} shape ${shapeName}`);
  }
}

function decodeShape(shapeName: string, prefix: string, params: Map<string, string>, used: Set<string>, v: string[]): Value | undefined {
  const s = model().shapes[shapeName];
  // Nothing sent under this name: skip the shape's whole subtree (the model's input shapes are deep).
  if (prefix !== '' && ![...params.keys()].some((k) => k === prefix || k.startsWith(`${prefix}.`))) return undefined;
  if (s.type === 'structure') {
    const out: Record<string, Value> = {};
    for (const [name, ref] of Object.entries(s.members ?? {})) {
      const key = prefix ? `${prefix}.${queryName(name, ref)}` : queryName(name, ref);
      const val = decodeShape(ref.shape, key, params, used, v);
      if (val !== undefined) out[name] = val;
    }
    for (const r of s.required ?? []) if (out[r] === undefined) v.push(`${prefix || '(input)'}: required member ${r} is missing`);
    const any = Object.keys(out).length > 0;
    return prefix === '' || any ? out : undefined;
  }
  if (s.type === 'list') {
    // EC2 lists are flattened: Prefix.1, Prefix.2, ... (the list member's own name is not used in requests).
    const items: Value[] = [];
    for (let i = 1; [...params.keys()].some((k) => k === `${prefix}.${i}` || k.startsWith(`${prefix}.${i}.`)); i++) {
      const item = decodeShape(s.member!.shape, `${prefix}.${i}`, params, used, v);
      if (item !== undefined) items.push(item);
    }
    if (s.min !== undefined && items.length > 0 && items.length < s.min) v.push(`${prefix}: fewer than ${s.min} items`);
    if (s.max !== undefined && items.length > s.max) v.push(`${prefix}: more than ${s.max} items`);
    return items.length ? items : undefined;
  }
  if (!params.has(prefix)) return undefined;
  used.add(prefix);
  return scalar(shapeName, s, params.get(prefix)!, prefix, v);
}

/** Decodes and checks a request body (`Action=...&Version=...&...`) against the model. */
export function decodeRequest(body: string): Decoded {
  const params = new Map(new URLSearchParams(body));
  const operation = params.get('Action') ?? '';
  const violations: string[] = [];
  const op = model().operations[operation];
  if (!op) return { operation, input: {}, violations: [`operation "${operation}" does not exist in EC2 ${model().metadata.apiVersion}`] };
  if (params.get('Version') !== model().metadata.apiVersion) violations.push(`Version "${params.get('Version')}" is not ${model().metadata.apiVersion}`);
  const used = new Set(['Action', 'Version']);
  const input = op.input ? ((decodeShape(op.input.shape, '', params, used, violations) as Record<string, Value>) ?? {}) : {};
  for (const k of params.keys()) if (!used.has(k)) violations.push(`${operation}: unknown member ${k}`);
  return { operation, input, violations };
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function encodeShape(shapeName: string, value: unknown, where: string): string {
  const s = model().shapes[shapeName];
  if (s.type === 'structure') {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${where}: ${shapeName} wants an object`);
    const members = s.members ?? {};
    let xml = '';
    for (const [k, v] of Object.entries(value)) {
      const ref = members[k];
      if (!ref) throw new Error(`${where}: ${shapeName} has no member ${k}`);
      if (v === undefined) continue;
      const tag = ref.locationName ?? k;
      xml += `<${tag}>${encodeShape(ref.shape, v, `${where}.${k}`)}</${tag}>`;
    }
    return xml;
  }
  if (s.type === 'list') {
    if (!Array.isArray(value)) throw new Error(`${where}: ${shapeName} wants a list`);
    const tag = s.member!.locationName ?? 'member';
    return value.map((v, i) => `<${tag}>${encodeShape(s.member!.shape, v, `${where}[${i}]`)}</${tag}>`).join('');
  }
  switch (s.type) {
    case 'string':
      if (typeof value !== 'string') throw new Error(`${where}: ${shapeName} wants a string`);
      if (s.enum && !s.enum.includes(value)) throw new Error(`${where}: "${value}" is not one of ${shapeName}'s values`);
      return esc(value);
    case 'integer':
    case 'long':
      if (!Number.isInteger(value)) throw new Error(`${where}: ${shapeName} wants an integer`);
      return String(value);
    case 'double':
    case 'float':
      if (typeof value !== 'number') throw new Error(`${where}: ${shapeName} wants a number`);
      return String(value);
    case 'boolean':
      if (typeof value !== 'boolean') throw new Error(`${where}: ${shapeName} wants a boolean`);
      return String(value);
    case 'timestamp':
      if (!(value instanceof Date)) throw new Error(`${where}: ${shapeName} wants a Date`);
      return value.toISOString();
    case 'blob':
      return Buffer.from(value as Buffer).toString('base64');
    default:
      throw new Error(`${where}: cannot write ${s.type}`);
  }
}

/** The XML answer of `operation` for `output` (members named as in the output shape); throws if it breaks the model. */
export function encodeResponse(operation: string, output: Record<string, unknown>, requestId: string): string {
  const m = model();
  const op = m.operations[operation];
  const body = op.output ? encodeShape(op.output.shape, output, operation) : '';
  if (!op.output && Object.keys(output).length) throw new Error(`${operation} has no output shape`);
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${operation}Response xmlns="${m.metadata.xmlNamespace}/"><requestId>${requestId}</requestId>${body}</${operation}Response>`;
}

export function encodeError(code: string, message: string, requestId: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${esc(code)}</Code><Message>${esc(message)}</Message></Error></Errors><RequestID>${requestId}</RequestID></Response>`;
}
