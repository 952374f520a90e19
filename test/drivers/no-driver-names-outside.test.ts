// Config, planner and executor read drivers' traits; none asks for a driver by name. A built-in driver's name as
// a string literal anywhere in src/ outside src/drivers/ fails here, except where the word means something else.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { builtinCatalog } from '../../src/drivers/catalog.js';

const SRC = join(import.meta.dirname, '../../src');

/** Literals that are not machine drivers: [file, literal, text of its line that shows why]. */
const ALLOWED: [string, string, string][] = [
  // Docker's own volume driver, the engine's default.
  ['config/normalise-hosts.ts', 'local', "typeof v.driver === 'string' ? v.driver : 'local'"],
  ['plan/plan-networks-volumes.ts', 'local', "return { name, driver: 'local', driverOpts: {}"],
  // Docker's volume driver, and a sample value in the editor hover text's YAML examples.
  ['config/hover-text.ts', 'local', "'volume.driver': 'local'"],
  ['config/hover-text.ts', 'generic', "machines: '[web1, web2]', driver: 'generic'"],
];

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** `file:line: 'name' in: <line>` for every string literal naming a built-in driver outside src/drivers/. */
function driverNameLiterals(names: Set<string>): string[] {
  const found: string[] = [];
  for (const path of files(SRC)) {
    const rel = relative(SRC, path);
    if (rel.startsWith('drivers/')) continue;
    const text = readFileSync(path, 'utf8');
    const sf = ts.createSourceFile(rel, text, ts.ScriptTarget.Latest, true);
    const lines = text.split('\n');
    const visit = (n: ts.Node): void => {
      if ((ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n)) && names.has(n.text)) {
        const line = sf.getLineAndCharacterOfPosition(n.getStart()).line;
        const source = lines[line];
        if (!ALLOWED.some(([f, lit, why]) => f === rel && lit === n.text && source.includes(why))) {
          found.push(`${rel}:${line + 1}: '${n.text}' in: ${source.trim()}`);
        }
      }
      ts.forEachChild(n, visit);
    };
    visit(sf);
  }
  return found;
}

describe('driver names outside src/drivers/', () => {
  const names = new Set(builtinCatalog().keys());

  it('no built-in driver name is written as a string in config, plan, apply, cli or elsewhere', () => {
    expect(driverNameLiterals(names)).toEqual([]);
  });

  it('the check finds such a literal (it looks at every file and every kind of string)', () => {
    // The allowed volume-driver literal is found when its exemption is left out: the scan itself works.
    const saved = ALLOWED.splice(0, 1);
    try {
      const found = driverNameLiterals(names);
      expect(found).toHaveLength(1);
      expect(found[0]).toMatch(/^config\/normalise-hosts\.ts:\d+: 'local' in: driver: typeof v\.driver === 'string' \? v\.driver : 'local',$/);
    } finally {
      ALLOWED.unshift(...saved);
    }
  });
});
