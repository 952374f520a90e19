// One state record as `mfile state show` prints it: `key = value` lines like terraform state show, keys sorted,
// nested maps as indented blocks, values as JSON. Masking happens where the text is written (out()).
import type { MachineRecord, ObjectRecord } from '../../model/index.js';

const byKey = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function block(obj: Record<string, unknown>, indent: string): string[] {
  const keys = Object.keys(obj).sort(byKey);
  const shown = (k: string): string => (/^[A-Za-z_][\w-]*$/.test(k) ? k : JSON.stringify(k));
  const width = Math.max(0, ...keys.filter((k) => !isMap(obj[k])).map((k) => shown(k).length));
  const lines: string[] = [];
  for (const k of keys) {
    const v = obj[k];
    const key = shown(k);
    if (isMap(v)) {
      lines.push(`${indent}${key} = {`, ...block(v, `${indent}    `), `${indent}}`);
    } else {
      lines.push(`${indent}${key.padEnd(width)} = ${JSON.stringify(v)}`);
    }
  }
  return lines;
}

export function renderRecord(address: string, rec: MachineRecord | ObjectRecord): string {
  return [`# ${address}:`, ...block(rec as unknown as Record<string, unknown>, '')].join('\n');
}
