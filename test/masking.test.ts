// The Masker: every form a sensitive value takes on its way out is replaced; data keeps its shape.
import { describe, expect, it } from 'vitest';
import { MASKED, Masker } from '../src/masking.js';

const SECRET = `Zq9 'a"b\\c$d\`e\nf`;
const m = new Masker({ values: [SECRET, 'short'], numbers: [4242000000000] });

describe('Masker.text', () => {
  it.each([
    ['as it is', `error: ${SECRET} refused`],
    ['JSON-escaped', `{"env":${JSON.stringify(SECRET)}}`],
    ['JSON-escaped twice (JSON inside a JSON string)', JSON.stringify({ body: JSON.stringify({ v: SECRET }) })],
    ["shell-quoted in '...'", `sh -c 'echo ${SECRET.replace(/'/g, `'\\''`)}'`],
    ['shell-quoted in "..."', `sh -c "echo ${SECRET.replace(/[\\"$`]/g, '\\$&')}"`],
    ['with its control characters escaped', `msg ${SECRET.replace('\n', '\\n')} end`],
  ])('masks the value %s', (_form, text) => {
    const out = m.text(text);
    expect(out).toContain(MASKED);
    for (const piece of ['Zq9', 'b\\c', '$d']) expect(out).not.toContain(piece);
  });

  it('leaves text without a secret as it is, and replaces a value holding another one whole', () => {
    expect(m.text('nothing to see')).toBe('nothing to see');
    const inner = new Masker({ values: ['abc', 'xxabcxx'] });
    expect(inner.text('[xxabcxx] [abc]')).toBe(`[${MASKED}] [${MASKED}]`);
  });
});

describe('Masker.value', () => {
  it('masks strings holding a value, numbers a value became, and a numeric value used as a number', () => {
    const numeric = new Masker({ values: ['512', SECRET], numbers: [4242000000000] });
    const attrs = { cpu_shares: 512, stop_grace_period: 4242000000000, retries: 3, command: ['sh', `x${SECRET}y`], env: { A: 'plain' } };
    expect(numeric.value(attrs)).toEqual({ cpu_shares: MASKED, stop_grace_period: MASKED, retries: 3, command: ['sh', MASKED], env: { A: 'plain' } });
    expect(attrs.cpu_shares).toBe(512); // the input is not modified
  });

  it('returns the very input when nothing needs masking', () => {
    const attrs = { a: ['x'], b: { c: 1 } };
    expect(m.value(attrs)).toBe(attrs);
    expect(new Masker({ values: [] }).value(attrs)).toBe(attrs);
  });
});

describe('Masker.mayHoldInJson', () => {
  // The planner walks only the attribute values whose JSON this says may hold a secret: where it says no, the
  // whole walk must have changed nothing.
  const values: unknown[] = [
    { env: { A: 'plain', B: `x${SECRET}y` } },
    ['sh', '-c', `echo ${SECRET.replace(/'/g, `'\\''`)}`],
    { msg: `line ${SECRET.replace('\n', '\\n')}` },
    { nested: [{ deep: 'short and more' }] },
    { nothing: ['a', 1, true, null] },
  ];
  it.each(values.map((v) => [JSON.stringify(v), v]))('agrees with value() for %s', (_name, v) => {
    const plain = new Masker({ values: [SECRET, 'short'] });
    if (!plain.mayHoldInJson(JSON.stringify(v))) expect(plain.value(v)).toBe(v);
    else expect(plain.value(v)).not.toBe(v);
  });

  it('says yes whenever a sensitive number could be in the value, and no for an empty masker', () => {
    expect(m.mayHoldInJson('{"a":1}')).toBe(true);
    expect(new Masker({ values: ['1e3'] }).mayHoldInJson('{"a":1000}')).toBe(true);
    expect(new Masker({ values: [] }).mayHoldInJson('{"a":"x"}')).toBe(false);
  });
});
