import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeFileAtomic, writeFileAtomicSync } from '../../src/state/atomic-write.js';
import { tmpDir } from './helpers/tmp.js';

const modeOf = (p: string): number => fs.statSync(p).mode & 0o777;

describe('writeFileAtomic', () => {
  it('replaces the content, leaves no temp file, and writes 0600 in a new 0700 folder', async () => {
    const dir = path.join(tmpDir(), '.mfile');
    const file = path.join(dir, 'state.json');
    await writeFileAtomic(file, 'one');
    await writeFileAtomic(file, 'two');
    expect(fs.readFileSync(file, 'utf8')).toBe('two');
    expect(fs.readdirSync(dir)).toEqual(['state.json']);
    expect(modeOf(file)).toBe(0o600);
    expect(modeOf(dir)).toBe(0o700);
  });

  it('makes an existing wider file 0600', async () => {
    const file = path.join(tmpDir(), 'plan.json');
    fs.writeFileSync(file, 'old', { mode: 0o644 });
    await writeFileAtomic(file, 'new');
    expect(modeOf(file)).toBe(0o600);
  });

  it('keeps the old content and cleans up when the write fails', async () => {
    const dir = tmpDir();
    const file = path.join(dir, 'target');
    fs.mkdirSync(file); // renaming a file over a folder fails
    await expect(writeFileAtomic(file, 'x')).rejects.toThrow();
    expect(fs.statSync(file).isDirectory()).toBe(true);
    expect(fs.readdirSync(dir)).toEqual(['target']);
  });

  it('has a sync variant with the same result', () => {
    const file = path.join(tmpDir(), 'sub', 'f.json');
    writeFileAtomicSync(file, '{"a":1}');
    writeFileAtomicSync(file, '{"a":2}');
    expect(fs.readFileSync(file, 'utf8')).toBe('{"a":2}');
    expect(fs.readdirSync(path.dirname(file))).toEqual(['f.json']);
    expect(modeOf(file)).toBe(0o600);
  });
});
