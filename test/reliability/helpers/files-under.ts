// Every file below a folder with its bytes as latin1 text, for checks that a value appears in no file at all.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

export function filesUnder(dir: string): [string, string][] {
  const out: [string, string][] = [];
  for (const e of readdirSync(dir)) {
    const p = path.join(dir, e);
    if (statSync(p).isDirectory()) out.push(...filesUnder(p));
    else out.push([p, readFileSync(p).toString('latin1')]);
  }
  return out;
}
