// Seeded generator of hostile machines.yml variants, all derived from valid files. Deterministic: the same
// seed gives the same bytes, so a failure is reproduced with MFILE_FUZZ_SEED and MFILE_FUZZ_ONLY.
import { readFileSync } from 'node:fs';
import { isMap, isScalar, isSeq, parseDocument, type Node, type Pair } from 'yaml';

export const DEFAULT_SEED = 0x6d66696c; // 'mfil'

/** mulberry32: small, fast, good enough to pick mutations. */
export function rng(seed: number): { int: (n: number) => number; pick: <T>(xs: readonly T[]) => T; chance: (p: number) => boolean } {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number): number => Math.floor(next() * n);
  return { int, pick: (xs) => xs[int(xs.length)], chance: (p) => next() < p };
}

/** Per-variant seed: the run's seed mixed with the variant's index. */
export function variantSeed(runSeed: number, index: number): number {
  return (Math.imul(runSeed ^ 0x9e3779b9, 0x85ebca6b) + Math.imul(index + 1, 0xc2b2ae35)) >>> 0;
}

const repo = (p: string): string => readFileSync(new URL(`../../../${p}`, import.meta.url), 'utf8');

/** Valid files to start from. Hand-made ones use driver local, so the CLI can plan them offline. */
export function seedFiles(): { name: string; text: string }[] {
  return [
    { name: 'examples/machines.yml', text: repo('examples/machines.yml') },
    { name: 'examples/sandbox.yml', text: repo('examples/sandbox.yml') },
    {
      name: 'local-small',
      text: `version: 1
project: fuzz
machines:
  m1: { driver: local }
containers:
  web:
    machine: m1
    image: nginx:1.27-alpine
    ports: ["8080:80"]
    environment: { MODE: prod, LEVEL: "3" }
    restart: unless-stopped
`,
    },
    {
      name: 'local-full',
      text: `version: 1
project: fuzz-full
variables:
  tag: { default: "1.0" }
  token: { default: s3cr3t-token, sensitive: true }
x-common: &common
  restart: unless-stopped
  labels: { team: core }
machines:
  here:
    driver: local
    engine:
      labels: { role: all }
      daemon: { log-driver: json-file }
networks:
  back: { internal: true }
  front: {}
volumes:
  data: {}
containers:
  api:
    <<: *common
    machine: here
    image: "registry.example/api:\${tag}"
    command: ["./api", "--port", "8080"]
    environment:
      - TOKEN=\${token}
      - MODE=prod
    networks: [back, front]
    volumes: ["data:/var/lib/api"]
    healthcheck: { test: ["CMD", "true"], interval: 5s, retries: 3 }
    mem_limit: 256m
    cpus: 0.5
  db:
    <<: *common
    machine: here
    image: postgres:16-alpine
    networks:
      back: { aliases: [database] }
    depends_on:
      api: { condition: service_started }
    deploy:
      replicas: 2
`,
    },
    {
      name: 'local-two',
      text: `version: 1
machines:
  a: { driver: local }
  b:
    driver: local
containers:
  one: { machines: [a, b], image: "busybox:1", command: sleep 1000 }
  two:
    machine: b
    image: busybox
    ports:
      - target: 80
        published: 8081
`,
    },
  ];
}

export interface Variant {
  index: number;
  seed: number;
  /** Mutation applied, e.g. 'byte-flip' or 'alias-bomb'. */
  kind: string;
  /** Seed file it started from. */
  from: string;
  /** True when the mutation keeps the file valid: loading it must succeed. */
  mustLoad: boolean;
  /** Large or pathological: always included in the CLI sample. */
  special: boolean;
  bytes: () => Buffer;
}

type R = ReturnType<typeof rng>;
type Mutator = { kind: string; weight: number; mustLoad?: boolean; special?: boolean; make: (text: string, r: R) => Buffer | string };

const enc = (s: string): Buffer => Buffer.from(s, 'utf8');
const lines = (t: string): string[] => t.split('\n');

const WRONG_VALUES: unknown[] = [null, 0, -1, 1.5, 1e300, '', 'x', '${', '$${x}', '${nope}', true, [], {}, ['a'], { a: 1 }, '80:80',
  '1g', '5s', 'a=b', [{ a: 1 }], 'UPPER', '../x', '-lead', ' ', '\u202e', '💥', 'a\nb', 99999999999999999999];

const INTERESTING_BYTES = [0x00, 0xff, 0xfe, 0xc3, 0x80, 0x3a, 0x7b, 0x7d, 0x5b, 0x5d, 0x22, 0x27, 0x26, 0x2a, 0x21, 0x7c, 0x3e,
  0x23, 0x09, 0x0a, 0x0d, 0x24, 0x2d, 0x3f, 0x25, 0x40, 0x60, 0x20];

/** Every key/value slot of a parsed document, for structure-aware mutations. */
function slots(doc: ReturnType<typeof parseDocument>): [Node, Pair | number][] {
  const out: [Node, Pair | number][] = [];
  const walk = (n: unknown): void => {
    if (isMap(n)) for (const p of n.items) (out.push([n, p]), walk(p.value));
    else if (isSeq(n)) n.items.forEach((x, k) => (out.push([n, k]), walk(x)));
  };
  walk(doc.contents);
  return out;
}

function structural(text: string, r: R, change: (doc: ReturnType<typeof parseDocument>, at: [Node, Pair | number]) => void): string {
  const doc = parseDocument(text, { merge: true });
  const all = slots(doc);
  if (!all.length) return text; // an earlier mutation left nothing to change
  for (let k = 0; k < 1 + r.int(3); k++) change(doc, r.pick(all));
  try {
    return doc.toString({ lineWidth: 0 });
  } catch {
    return text + '\nx-fallback: 1\n'; // removed an anchor an alias needs: keep the file as it was
  }
}

function setValue(doc: ReturnType<typeof parseDocument>, [parent, at]: [Node, Pair | number], value: unknown): void {
  const node = doc.createNode(value);
  if (isMap(parent) && typeof at !== 'number') at.value = node;
  else if (isSeq(parent) && typeof at === 'number') parent.items[at] = node;
}

const nested = (open: string, close: string, n: number, closed: boolean, inner = '1'): string =>
  open.repeat(n) + (open === '{' ? '' : inner) + (closed ? close.repeat(n) : '');

const BOMB = ((): string => {
  const l = 'abcdefghij';
  let s = 'x-a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n';
  for (let i = 1; i < 10; i++) s += `x-${l[i]}: &${l[i]} [${Array(9).fill(`*${l[i - 1]}`).join(', ')}]\n`;
  return s;
})();

const MAP_BOMB = ((): string => {
  const l = 'abcdefghij';
  let s = 'x-a: &a { k1: lol, k2: lol, k3: lol, k4: lol, k5: lol, k6: lol, k7: lol, k8: lol }\n';
  for (let i = 1; i < 10; i++) s += `x-${l[i]}: &${l[i]} { ${Array.from({ length: 8 }, (_, k) => `k${k}: *${l[i - 1]}`).join(', ')} }\n`;
  return s;
})();

/** Puts `block` (top-level keys) right after `version: 1`, before anything that may use its anchors. */
function afterVersion(text: string, block: string): string {
  return text.replace(/^version: 1\n/m, (v) => v + block);
}

/** Uses alias *j as the value of the first container's first key-like field. */
function useAlias(text: string, alias: string, key: string): string {
  const m = /^containers:\n  ([^\s:]+):[ ]*\n/m.exec(text);
  if (m) return text.replace(m[0], `${m[0]}    ${key}: *${alias}\n`);
  return text + `\nx-use: *${alias}\n`;
}

const MUTATORS: Mutator[] = [
  {
    kind: 'byte-flip',
    weight: 14,
    make: (t, r) => {
      const b = enc(t);
      for (let k = 0; k < 1 + r.int(8); k++) b[r.int(b.length)] ^= 1 << r.int(8);
      return b;
    },
  },
  {
    kind: 'byte-set',
    weight: 10,
    make: (t, r) => {
      const b = enc(t);
      for (let k = 0; k < 1 + r.int(6); k++) b[r.int(b.length)] = r.pick(INTERESTING_BYTES);
      return b;
    },
  },
  {
    kind: 'byte-insert',
    weight: 6,
    make: (t, r) => {
      const b = enc(t);
      const at = r.int(b.length);
      const ins = Buffer.from(Array.from({ length: 1 + r.int(4) }, () => r.pick(INTERESTING_BYTES)));
      return Buffer.concat([b.subarray(0, at), ins, b.subarray(at)]);
    },
  },
  { kind: 'truncate', weight: 4, make: (t, r) => enc(t).subarray(0, r.int(t.length)) },
  {
    kind: 'drop-lines',
    weight: 8,
    make: (t, r) => {
      const ls = lines(t);
      for (let k = 0; k < 1 + r.int(3); k++) ls.splice(r.int(ls.length), 1 + r.int(2));
      return ls.join('\n');
    },
  },
  {
    kind: 'dup-lines',
    weight: 8,
    make: (t, r) => {
      const ls = lines(t);
      for (let k = 0; k < 1 + r.int(3); k++) {
        const i = r.int(ls.length);
        ls.splice(i, 0, ...ls.slice(i, i + 1 + r.int(3)));
      }
      return ls.join('\n');
    },
  },
  {
    kind: 'swap-lines',
    weight: 4,
    make: (t, r) => {
      const ls = lines(t);
      const i = r.int(ls.length);
      const j = r.int(ls.length);
      [ls[i], ls[j]] = [ls[j], ls[i]];
      return ls.join('\n');
    },
  },
  {
    kind: 'dup-key',
    weight: 5,
    make: (t, r) => {
      const ls = lines(t);
      const keyed = ls.map((l, i) => [l, i] as const).filter(([l]) => /^\s*[A-Za-z_][\w.-]*:/.test(l));
      if (!keyed.length) return t;
      const [l, i] = r.pick(keyed);
      ls.splice(i + 1, 0, l.replace(/:.*$/, ': ') + r.pick(['1', 'x', '{}', '[]', '']));
      return ls.join('\n');
    },
  },
  {
    kind: 'drop-key',
    weight: 6,
    make: (t, r) =>
      structural(t, r, (_doc, [parent, at]) => {
        if (isMap(parent) && typeof at !== 'number') parent.items.splice(parent.items.indexOf(at as never), 1);
        else if (isSeq(parent) && typeof at === 'number') parent.items.splice(at, 1);
      }),
  },
  { kind: 'wrong-type', weight: 16, make: (t, r) => structural(t, r, (doc, at) => setValue(doc, at, r.pick(WRONG_VALUES))) },
  {
    kind: 'rename-key',
    weight: 5,
    make: (t, r) =>
      structural(t, r, (doc, [parent, at]) => {
        if (isMap(parent) && typeof at !== 'number') at.key = doc.createNode(r.pick(['', 'UPPER', '../x', 'a b', '$(x)', '-x', 'x'.repeat(200), '__proto__', 'constructor', 'imagee', 'x-ok', 1, true, null]));
      }),
  },
  {
    kind: 'long-scalar',
    weight: 0,
    special: true,
    make: (t, r) => structural(t, r, (doc, at) => setValue(doc, at, r.pick(['a', '$', '${', 'é', ' ']).repeat((1 << 20) / 2))),
  },
  {
    kind: 'long-line',
    weight: 0,
    special: true,
    make: (t, r) => t + `\nx-long: "${r.pick(['x', '${', '\\u00e9', '\\\\'] as const).repeat(1 << 18)}"\n` + (r.chance(0.5) ? `${'k'.repeat(1 << 20)}: 1\n` : ''),
  },
  {
    kind: 'deep-nesting',
    weight: 0,
    special: true,
    make: (t, r) => {
      const open = r.pick(['[', '{a: ', '{']);
      const close = open === '[' ? ']' : '}';
      const deep = nested(open, close, 10_000, r.chance(0.5));
      const where = r.int(3);
      if (where === 0) return `${t}\nx-deep: ${deep}\n`;
      if (where === 1) return useAlias(afterVersion(t, `x-deep: &deep ${deep}\n`), 'deep', 'labels');
      return t.replace(/^(\s+image: ).*$/m, `$1${deep}`);
    },
  },
  {
    kind: 'deep-block',
    weight: 0,
    special: true,
    make: (t, r) => {
      const n = 1000 + r.int(4000);
      const body = r.chance(0.5)
        ? Array.from({ length: n }, (_, i) => `${' '.repeat(i)}- `).join('\n') + '1'
        : Array.from({ length: n }, (_, i) => `${' '.repeat(i + 2)}k:`).join('\n') + ' 1';
      return `${t}\nx-deep:\n${body}\n`;
    },
  },
  {
    kind: 'alias-bomb',
    weight: 0,
    special: true,
    make: (t, r) => {
      const bomb = r.chance(0.5) ? BOMB : MAP_BOMB;
      const withBomb = afterVersion(t, bomb);
      return r.chance(0.7) ? useAlias(withBomb, 'j', r.pick(['labels', 'command', 'environment', 'x-u'])) : withBomb;
    },
  },
  {
    kind: 'alias-misuse',
    weight: 3,
    make: (t, r) =>
      r.pick([
        () => `${t}\nx-u: *nowhere\n`,
        () => useAlias(t, 'later', 'labels') + '\nx-l: &later { a: b }\n',
        () => afterVersion(t, 'x-m: &m 5\n') + '\nx-n: { <<: *m }\n',
        () => afterVersion(t, 'x-s: &s [a, b]\n') + '\nx-n: { <<: *s }\n',
        () => afterVersion(t, 'x-self: &self { a: 1 }\n'.repeat(2)) + '\nx-n: *self\n',
        () => `${t}\nx-c: &c [*c]\n`,
      ])(),
  },
  {
    kind: 'non-utf8',
    weight: 6,
    make: (t, r) => {
      const b = enc(t);
      const at = r.int(b.length + 1);
      const bad = r.pick([[0xff], [0xfe, 0xff], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xf5, 0x80, 0x80, 0x80], [0xe2, 0x82], [0x80], [0xf0, 0x9f, 0x98]]);
      return Buffer.concat([b.subarray(0, at), Buffer.from(bad), b.subarray(at)]);
    },
  },
  {
    kind: 'utf16',
    weight: 1,
    make: (t, r) => Buffer.concat([Buffer.from(r.chance(0.5) ? [0xff, 0xfe] : [0xfe, 0xff]), Buffer.from(t, 'utf16le')]),
  },
  {
    kind: 'control-bytes',
    weight: 5,
    make: (t, r) => {
      const b = enc(t);
      const at = r.int(b.length + 1);
      return Buffer.concat([b.subarray(0, at), Buffer.from([r.pick([0x00, 0x01, 0x07, 0x08, 0x0b, 0x0c, 0x1b, 0x7f])]), b.subarray(at)]);
    },
  },
  { kind: 'bom', weight: 3, mustLoad: true, make: (t) => '\ufeff' + t },
  { kind: 'bom-inside', weight: 2, make: (t, r) => { const i = r.int(t.length); return t.slice(0, i) + '\ufeff' + t.slice(i); } },
  { kind: 'crlf', weight: 3, mustLoad: true, make: (t) => t.replace(/\n/g, '\r\n') },
  { kind: 'lone-cr', weight: 2, make: (t) => t.replace(/\n/g, '\r') },
  { kind: 'trailing-space-and-comments', weight: 2, mustLoad: true, make: (t) => t.replace(/\n/g, '   \n').replace(/^(\s*[a-z]+:)$/gm, '$1  # note') },
  {
    kind: 'tabs',
    weight: 6,
    make: (t, r) => {
      const ls = lines(t);
      for (let k = 0; k < 1 + r.int(4); k++) {
        const i = r.int(ls.length);
        ls[i] = r.chance(0.5) ? ls[i].replace(/^ +/, '\t') : ls[i].replace(/: /, ':\t');
      }
      return ls.join('\n');
    },
  },
  {
    kind: 'yaml-oddities',
    weight: 6,
    make: (t, r) =>
      r.pick([
        () => `%YAML 1.1\n---\n${t}`,
        () => `%FOO bar\n---\n${t}`,
        () => `${t}\n---\nversion: 1\n`,
        () => `${t}\n...\n`,
        () => `${t}\n? [a, b]\n: 1\n`,
        () => `${t}\n? { a: 1 }\n: 1\n`,
        () => `${t}\nx-bin: !!binary AAAA\n`,
        () => `${t}\nx-t: !!int abc\n`,
        () => t.replace(/^version: 1$/m, 'version: !foo 1'),
        () => t.replace(/^version: 1$/m, 'version: !!str 1'),
        () => t.replace(/^version: 1$/m, 'version: 0x1'),
        () => t.replace(/^version: 1$/m, 'version: 1.0'),
        () => `${t}\n: 1\n`,
        () => `${t}\n__proto__: { polluted: 1 }\n`,
        () => t.replace(/^containers:\n  [^\s:]+:/m, 'containers:\n  __proto__:'),
        () => `${t}\nx-n: .nan\nx-i: -.inf\n`,
        () => t.replace(/^(\s+image: )(.*)$/m, '$1|\n      $2'),
        () => t.replace(/^(\s+image: )(.*)$/m, '$1"$2\\x00"'),
        () => t.replace(/^(\s+image: )(.*)$/m, `$1"$2\\u0000\\n"`),
        () => `[${t}`,
        () => `- ${t}`,
        () => `"just a string"`,
        () => '',
        () => '   \n\n# only a comment\n',
        () => '~',
      ])(),
  },
  {
    kind: 'interpolation',
    weight: 8,
    make: (t, r) => {
      const junk = r.pick(['${', '${}', '${ a }', '${1a}', '${a:-}', '${a:-${b}}', '${env:}', '${env:NOPE}', '${env:HOME:-x}', '$${x}',
        '${x', 'pre${', '${a}${', '${'.repeat(1000), '${a:-' + 'z'.repeat(5000), '${tag}', '${token}', '${env:PATH}']);
      return structural(t, r, (doc, at) => setValue(doc, at, junk));
    },
  },
  {
    kind: 'unicode',
    weight: 4,
    make: (t, r) => {
      const u = r.pick(['é', '💥', '\u202e', '\u200b', '\u0301', 'ß', 'İ', '\ud83d\ude00', '\u2028', '\u0085', '\ufffd', '\uffff']);
      return structural(t, r, (doc, at) => setValue(doc, at, r.chance(0.5) ? u : `a${u}b`));
    },
  },
  {
    kind: 'many-keys',
    weight: 0,
    special: true,
    make: (t, r) => {
      const n = 10_000;
      const prefix = r.pick(['x-k', 'k', 'image']);
      return `${t}\n${Array.from({ length: n }, (_, i) => `${prefix}${prefix === 'image' ? '' : i}: ${i}`).join('\n')}\n`;
    },
  },
  {
    kind: 'many-errors',
    weight: 0,
    special: true,
    make: (t, r) => {
      const n = 10_000;
      const line = r.pick(['x-k%: [a: {', '  c%: { machine: nowhere, image: 5 }', 'k%: 1']);
      const head = line.startsWith('  ') ? t.replace(/^containers:\n/m, 'containers:\n' + Array.from({ length: n }, (_, i) => line.replace('%', String(i))).join('\n') + '\n') : t;
      return line.startsWith('  ') ? head : `${t}\n${Array.from({ length: n }, (_, i) => line.replace('%', String(i))).join('\n')}\n`;
    },
  },
  {
    kind: 'mixed',
    weight: 8,
    make: (t, r) => {
      let out: Buffer | string = t;
      for (let k = 0; k < 2 + r.int(2); k++) {
        const m = r.pick(MUTATORS.filter((x) => !x.special && x.kind !== 'mixed'));
        out = m.make(Buffer.isBuffer(out) ? out.toString('latin1') : out, r);
      }
      return out;
    },
  },
];

const HUGE: Mutator[] = [
  // 50 MB: past the size limit, must be refused at once (not parsed for seconds).
  { kind: 'huge-50mb-comment', weight: 0, special: true, make: (t) => `${t}\n# ${'c'.repeat(50 * 1024 * 1024)}\n` },
  {
    kind: 'huge-50mb-data',
    weight: 0,
    special: true,
    make: (t) => `${t}\nx-big:\n${'  - aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n'.repeat(800_000)}`,
  },
];

const SPECIAL_COPIES = 4;

/** `count` variants for the run seed. Variants are described up front and their bytes made on demand. */
export function variants(runSeed: number, count: number): Variant[] {
  const seeds = seedFiles();
  const table = MUTATORS.flatMap((m) => Array<Mutator>(m.weight).fill(m)); // specials have weight 0
  const out: Variant[] = [];
  const add = (m: Mutator, i: number, fromIndex?: number): void => {
    const seed = variantSeed(runSeed, i);
    const from = seeds[fromIndex ?? rng(seed).int(seeds.length)];
    out.push({
      index: i,
      seed,
      kind: m.kind,
      from: from.name,
      mustLoad: m.mustLoad === true,
      special: m.special === true,
      bytes: () => {
        const made = m.make(from.text, rng(seed ^ 0x5bd1e995));
        return Buffer.isBuffer(made) ? made : enc(made);
      },
    });
  };
  // Each seed file as is, each huge case, then the random mix.
  seeds.forEach((_, i) => add({ kind: 'identity', weight: 0, mustLoad: true, make: (t) => t }, i, i));
  for (const m of HUGE) add(m, out.length);
  // The costly shapes a fixed number of times each (at random they would be too few or too slow).
  for (const m of MUTATORS.filter((x) => x.special)) for (let k = 0; k < SPECIAL_COPIES; k++) add(m, out.length);
  for (let i = out.length; i < count; i++) add(table[rng(variantSeed(runSeed, i) ^ 0x27d4eb2f).int(table.length)], i);
  return out;
}

/** Reproduction hint printed with every failure. */
export function describeVariant(v: Variant, runSeed: number): string {
  return `variant #${v.index} (${v.kind} of ${v.from}, MFILE_FUZZ_SEED=${runSeed} MFILE_FUZZ_ONLY=${v.index})`;
}

export function runSeed(): number {
  const env = process.env.MFILE_FUZZ_SEED;
  return env ? Number(env) >>> 0 : DEFAULT_SEED;
}
