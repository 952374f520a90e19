// Mangled versions of the examples (values swapped for wrong types, keys dropped) must end in a positioned
// ConfigError or a Desired, never in another exception: users never see a stack trace.
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { isMap, isSeq, parseDocument, type Node, type Pair } from 'yaml';
import { ConfigError } from '../../src/errors.js';
import { load } from './helpers.js';

const compose = readFileSync(new URL('../../examples/compose-service.yml', import.meta.url), 'utf8');
const sources = [
  readFileSync(new URL('../../examples/machines.yml', import.meta.url), 'utf8'),
  'version: 1\nmachines:\n  m1: { driver: local }\n' + compose.replace(/^services:/m, 'containers:'),
];
const replacements = [null, 0, -1, 1.5, '', 'x', '${a}', true, [], {}, ['a'], { a: 1 }, '80:80', '1g', '5s', 'a=b', [{ a: 1 }]];

it('turns every mangled file into a Desired or a ConfigError with positions', async () => {
  let seed = 7;
  const rnd = (n: number): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
  const failures: string[] = [];
  for (let i = 0; i < 120; i++) {
    const doc = parseDocument(sources[i % 2], { merge: true });
    const slots: [Node, Pair | number][] = [];
    const walk = (n: unknown): void => {
      if (isMap(n)) for (const p of n.items) (slots.push([n, p]), walk(p.value));
      else if (isSeq(n)) n.items.forEach((x, k) => (slots.push([n, k]), walk(x)));
    };
    walk(doc.contents);
    for (let k = 0; k < 1 + rnd(3); k++) {
      const [parent, at] = slots[rnd(slots.length)];
      const value = doc.createNode(replacements[rnd(replacements.length)]);
      if (isMap(parent) && typeof at !== 'number') {
        if (rnd(4) === 0) parent.items.splice(parent.items.indexOf(at as never), 1);
        else at.value = value;
      } else if (isSeq(parent) && typeof at === 'number') parent.items[at] = value;
    }
    let text: string;
    try {
      text = doc.toString();
    } catch {
      continue; // the mangling removed an anchor an alias needs: not a file anyone could write
    }
    try {
      await load(text, { env: { HOME: '/h' } }, { 'db.env': 'A=1\n' });
    } catch (err) {
      if (!(err instanceof ConfigError)) failures.push(`${String(err)}\n${text}`);
      else if (err.issues.some((x) => x.line < 1 || x.col < 1 || !x.message)) failures.push(`${err.message}\n${text}`);
    }
  }
  expect(failures).toEqual([]);
}, 30_000);
