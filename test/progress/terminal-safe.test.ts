// Progress lines quote engines and hosts: what reaches the terminal has its control characters escaped.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createRenderer } from '../../src/progress/index.js';

afterEach(() => vi.restoreAllMocks());

describe('plain progress lines', () => {
  it('escape control characters from an engine message', async () => {
    const written: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => (written.push(String(chunk)), true));
    const r = createRenderer('plain');
    r.sink({ id: 'container.web[m1]', status: 'failed', text: 'failed: pull \x1b[2J\x9b denied\nforged line', time: 0, elapsedMs: 100 });
    await r.stop();
    expect(written).toEqual(['1970-01-01T00:00:00Z container.web[m1] failed: pull \\u001b[2J\\u009b denied\\nforged line (0.1s)\n']);
  });

  it('JSON lines are left to JSON, which escapes them itself', async () => {
    const written: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => (written.push(String(chunk)), true));
    const r = createRenderer('json');
    r.sink({ id: 'a', status: 'done', text: 'x\x1by', time: 0 });
    await r.stop();
    expect(JSON.parse(written.join('')).text).toBe('x\x1by');
  });
});
