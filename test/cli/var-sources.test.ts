// --var-file (NAME=value lines, .env style) and --var-stdin NAME: values that never appear in `ps`.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { collectVariables, readStdinValue, readVarFile } from '../../src/cli/var-sources.js';

const dir = mkdtempSync(path.join(tmpdir(), 'mfile-varfile-'));
const file = (name: string, text: string): string => {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
};

describe('--var-file', () => {
  it('reads NAME=value lines, with comments, export, and quotes', async () => {
    const f = file('ok.env', `# secrets\ntoken=abc def\nexport db_password="p a\\"ss"\nquoted='x # y'\n\n`);
    expect(await readVarFile(f)).toEqual({ token: 'abc def', db_password: 'p a"ss', quoted: 'x # y' });
  });

  it('refuses a bad line with FILE:LINE, without quoting the line', async () => {
    const f = file('bad.env', 'token=ok\nthis is s3cret\n');
    await expect(readVarFile(f)).rejects.toThrow(`${f}:2:1: expected NAME=value`);
    await expect(readVarFile(f)).rejects.not.toThrow(/s3cret/);
    await expect(readVarFile(path.join(dir, 'none.env'))).rejects.toThrow(/none\.env: file not found/);
  });

  it('is overridden by --var, and both by --var-stdin', async () => {
    const f = file('base.env', 'a=file\nb=file\n');
    expect(await collectVariables({ var: { b: 'flag' }, varFile: [f] })).toEqual({ a: 'file', b: 'flag' });
  });
});

describe('--var-stdin', () => {
  it('takes all of standard input, dropping one trailing line break', async () => {
    expect(await readStdinValue('t', Readable.from([Buffer.from('line one\nline two\n')]))).toBe('line one\nline two');
    expect(await readStdinValue('t', Readable.from([Buffer.from('x\n\n')]))).toBe('x\n');
  });

  it('refuses a terminal', async () => {
    const tty = Object.assign(Readable.from([]), { isTTY: true });
    await expect(readStdinValue('t', tty)).rejects.toThrow(/standard input is a terminal/);
  });
});
