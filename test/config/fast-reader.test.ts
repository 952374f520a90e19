// The fast reader (js-yaml) must never change what loadConfig gives: for any file, the default load and a
// load that only uses the positioned reader return deep-equal Desired, or throw the very same error.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import { loadConfig, type LoadOptions } from '../../src/config/index.js';
import { readFast } from '../../src/config/fast-yaml.js';
import { interpolate } from '../../src/config/interpolate.js';
import { IssueList } from '../../src/config/issues.js';
import { readPositioned } from '../../src/config/positioned-source.js';
import { generateYaml } from '../../bench/plan/generate.mjs';
import { seedFiles, variants } from '../reliability/helpers/fuzz-corpus.js';
import { HEAD, project } from './helpers.js';
import { builtinCatalog } from '../../src/drivers/catalog.js';

type Outcome = { ok: unknown } | { error: string };

async function outcome(file: string, opts: Partial<LoadOptions>): Promise<Outcome> {
  try {
    return { ok: await loadConfig({ env: { HOME: '/home/u', API: 'k' }, vars: { tag: '2' }, ...opts, file }, builtinCatalog()) };
  } catch (err) {
    return { error: `${(err as Error).constructor.name}: ${(err as Error).message}` };
  }
}

/** Loads the file both ways; returns whether the default load came out as a Desired. */
async function sameBothWays(file: string): Promise<boolean> {
  const auto = await outcome(file, {});
  const positioned = await outcome(file, { reader: 'positioned' });
  // node's comparison, not toStrictEqual: that one compares `.constructor`, which a container named
  // 'constructor' (a fuzz variant) turns into two equal but distinct objects.
  if (!isDeepStrictEqual(auto, positioned)) expect(auto, file).toStrictEqual(positioned);
  return 'ok' in auto;
}

const write = (text: string | Uint8Array): string => join(project({ 'machines.yml': text }), 'machines.yml');
const fast = (text: string): boolean => readFast('machines.yml', text) !== undefined;

/** The data each reader gives after interpolation, x- extension keys included (Desired drops them). */
function dataBothWays(text: string): { fast: unknown; positioned: unknown } {
  const opts = { vars: { tag: '2' }, env: { API: 'k' } };
  const f = readFast('machines.yml', text);
  if (!f) throw new Error(`the fast reader declined: ${text.slice(0, 300)}`);
  interpolate(f, f.placer, opts, new IssueList());
  const src = readPositioned('machines.yml', Buffer.from(text), new IssueList());
  if (!src) throw new Error('the positioned reader refused');
  interpolate(src, src.placer, opts, new IssueList());
  return { fast: f.data(), positioned: src.data() };
}

const examples = readdirSync(new URL('../../examples/', import.meta.url)).filter((f) => f.endsWith('.yml'));

/** Valid files on the edges where YAML 1.1, YAML 1.2, js-yaml and `yaml` part ways. */
const EDGES: Record<string, string> = {
  scalars: `${HEAD}containers:
  c: { machine: m1, image: busybox }
x-edges:
    labels:
      a: on
      b: yes
      c: "0755"
      d: 1_000
      e: -.5
      f: .5e3
      g: 0o17
      h: 0x1F
      i: 0b101
      j: .NaN
      k: -.inf
      l: 2001-12-14
      m: 1.10
      n: ~
      o: Null
      p: -0
      q: 012
      r: 089
      s: +12
      t: 99999999999999999999
      v: "a\\tb\\u00e9"
      w: 'it''s'
      x: plain # comment
      y: |
        line one
          indented ${'$'}{tag}
      z: >-
        folded
        text
`,
  modes: `${HEAD}secrets:
  s1: { file: ./s1.txt }
containers:
  c:
    machine: m1
    image: busybox
    secrets:
      - { source: s1, target: /run/s1, mode: 0440 }
      - source: s1
        target: /run/s2
        mode: 0o400
x-modes: { 0755: octal-looking key, quoted: { mode: "0440" }, list: [0440], mode: 0o10, deep: [{ mode: 0017 }] }
`,
  interpolation: `version: 1
variables:
  tag: { default: "1" }
  port: { default: "8080" }
  lit: { default: "\${not-expanded}" }
machines:
  m1: { driver: local }
containers:
  c:
    machine: m1
    image: "busybox:\${tag}"
    command: [sh, -c, "echo $\${HOME} \${env:API}"]
    environment:
      A: \${port}
      B: "\${port}"
      C: \${env:NOPE:-fallback}
      D: '\${tag}'
      E: x\${tag}y
    labels:
      x: "\${lit}"
    ports: ["\${port}:80"]
    stop_grace_period: \${tag}s
x-refs:
  n: \${port}
  f: \${tag}.5
  b: \${env:NOPE:-true}
`,
  bom: `\uFEFF${HEAD}containers:\n  c: { machine: m1, image: busybox }\n`,
  crlf: `${HEAD}containers:\n  c: { machine: m1, image: busybox }\n`.replace(/\n/g, '\r\n'),
};

/** Shapes the fast reader leaves to the positioned one. */
const DECLINED: Record<string, string> = {
  anchors: `${HEAD}x-base: &base { image: busybox }\ncontainers:\n  c: { machine: m1, image: busybox }\n`,
  merge: `${HEAD}containers:\n  c:\n    <<: { image: busybox }\n    machine: m1\n`,
  tag: `${HEAD}containers:\n  c: { machine: m1, image: !!str busybox }\n`,
  directive: `%YAML 1.1\n---\n${HEAD}containers:\n  c: { machine: m1, image: busybox, labels: { a: yes } }\n`,
  'explicit key': `${HEAD}containers:\n  c: { machine: m1, image: busybox, labels: { ? a : b } }\n`,
  'flow key': `${HEAD}containers:\n  c: { machine: m1, image: busybox, labels: { [a]: b } }\n`,
  'null key': `${HEAD}containers:\n  c: { machine: m1, image: busybox, labels: { ~: b } }\n`,
  // js-yaml accepted the second line at column 0; `yaml` refuses it (a fuzz variant found this).
  'flow over lines': `${HEAD}containers:\n  c:\n    machine: m1\n    image: busybox\n    command: ["a", "-p\n", "80"]\n`,
  'quoted over lines': `${HEAD}containers:\n  c:\n    machine: m1\n    image: "busy\nbox"\n`,
  'plain and quoted over lines': `${HEAD}containers:
  c:
    machine: m1
    image: busybox
    command: this is a
      long plain
      command
    environment:
      Q: "double
        quoted"
`,
  'duplicate key': `${HEAD}containers:\n  c: { machine: m1, image: busybox, image: alpine }\n`,
};

describe('fast reader', () => {
  it('reads the examples and the bench fleet, and loads them as the positioned reader does', async () => {
    for (const name of examples) {
      const path = new URL(`../../examples/${name}`, import.meta.url).pathname;
      // machines.yml uses anchors, which the fast reader leaves to the positioned one.
      expect(fast(readFileSync(path, 'utf8')), name).toBe(name !== 'machines.yml');
      // compose-service.yml is refused (services: not supported), the same way by both.
      expect(await sameBothWays(path), name).toBe(name !== 'compose-service.yml');
    }
    const fleet = generateYaml({ machines: 20, containers: 200 });
    expect(fast(fleet)).toBe(true);
    expect(await sameBothWays(write(fleet))).toBe(true);
  });

  it('gives the same Desired on YAML 1.1/1.2 edges: booleans, octals, numbers, null, modes, ${...}, BOM, CRLF', async () => {
    for (const [name, text] of Object.entries(EDGES)) {
      const dir = project({ 'machines.yml': text, 's1.txt': 'secret\n' });
      const both = dataBothWays(text);
      expect(isDeepStrictEqual(both.fast, both.positioned), name).toBe(true);
      expect(both.fast, name).toStrictEqual(both.positioned);
      expect(await sameBothWays(join(dir, 'machines.yml')), name).toBe(true);
    }
  });

  it('leaves anchors, merge keys, tags, directives, complex, null and duplicate keys, values over lines to the positioned reader', async () => {
    for (const [name, text] of Object.entries(DECLINED)) {
      expect(fast(text), name).toBe(false);
      await sameBothWays(write(text));
    }
  });

  it('reports a reserved name in any list, as the positioned reader does', async () => {
    for (const list of ['command: ["__proto__=1"]', 'entrypoint: [__proto__]', 'x-notes: [a, "__proto__=b"]']) {
      const text = `${HEAD}containers:\n  c:\n    machine: m1\n    image: busybox\n    ${list}\n`;
      expect(fast(text), list).toBe(false);
      expect(await sameBothWays(write(text)), list).toBe(false);
    }
  });

  it('agrees with the positioned reader on every fuzz variant: the same Desired or the same positioned error', async () => {
    for (const s of seedFiles()) expect(await sameBothWays(write(s.text)), s.name).toBe(true);
    // The huge (50 MB) variants are refused by size before either reader runs.
    for (const v of variants(0x5eed, 400).filter((x) => !x.special)) {
      const loaded = await sameBothWays(write(v.bytes()));
      if (v.mustLoad) expect(loaded, `${v.kind} #${v.index}`).toBe(true);
    }
  }, 120_000);
});
