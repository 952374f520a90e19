// Names that would escape a folder or break a Docker name are refused by the schema, with the position of
// the name, for every kind of name (machines, containers, networks, volumes, project).
import { describe, expect, it } from 'vitest';
import { issues } from '../config/helpers.js';

const BAD_NAMES: [string, string][] = [
  ['parent folder', '../x'],
  ['slash', 'a/b'],
  ['upper case', 'UPPER'],
  ['leading dash', '-lead'],
  ['200 characters', 'n'.repeat(200)],
  ['space', 'a b'],
  ['command substitution', '$(x)'],
  ['dot only', '..'],
  ['leading dot', '.hidden'],
  ['backslash', 'a\\b'],
  ['NUL escape', 'a\u0000b'],
  ['newline', 'a\nb'],
  ['non-ASCII', 'café'],
];

type Kind = 'machine' | 'container' | 'network' | 'volume' | 'project';

/** A valid local-driver file with `name` in the slot for `kind`; `line`:`col` is where that name is written. */
function fileWith(kind: Kind, name: string): { yaml: string; line: number; col: number } {
  const q = JSON.stringify(name); // a double-quoted YAML scalar holds any of the names above
  const machine = kind === 'machine' ? q : 'm1';
  const head = [`version: 1`, `project: ${kind === 'project' ? q : 'shop'}`, 'machines:', `  ${machine}: { driver: local }`];
  const body: Record<Exclude<Kind, 'project' | 'machine'>, string[]> = {
    container: ['containers:', `  ${q}: { machine: m1, image: busybox }`],
    network: ['networks:', `  ${q}: {}`, 'containers:', `  c: { machine: m1, image: busybox, networks: [${q}] }`],
    volume: ['volumes:', `  ${q}: {}`, 'containers:', `  c: { machine: m1, image: busybox, volumes: [${JSON.stringify(`${name}:/data`)}] }`],
  };
  const lines = [...head, ...(kind === 'project' || kind === 'machine' ? [] : body[kind])];
  const at: Record<Kind, { line: number; col: number }> = {
    project: { line: 2, col: 10 },
    machine: { line: 4, col: 3 },
    container: { line: 6, col: 3 },
    network: { line: 6, col: 3 },
    volume: { line: 6, col: 3 },
  };
  return { yaml: lines.join('\n') + '\n', ...at[kind] };
}

const KINDS: Kind[] = ['machine', 'container', 'network', 'volume', 'project'];

describe('unsafe names are refused with a positioned error', () => {
  it('accepts the plain name that the table varies (the file is otherwise valid)', async () => {
    for (const kind of KINDS) expect(await issues(fileWith(kind, 'ok-name1').yaml), kind).toEqual([]);
    // 63 characters is the longest name that still fits a DNS label.
    for (const kind of KINDS) expect(await issues(fileWith(kind, 'a'.repeat(63)).yaml), kind).toEqual([]);
  });

  for (const kind of KINDS) {
    it.each(BAD_NAMES)(`${kind} name: %s`, async (_what, name) => {
      const f = fileWith(kind, name);
      const got = await issues(f.yaml);
      const expected = new RegExp(`^machines\\.yml:${f.line}:${f.col}: (invalid ${kind} name|project: )`);
      expect(got.some((l) => expected.test(l)), got.join('\n') || '(accepted)').toBe(true);
      for (const l of got) expect(l).not.toMatch(/[\r\n]/);
    });
  }
});
