// The CLI's edges pass text through the process-wide masker: the one top-level catch and progress events.
import { describe, expect, it, vi } from 'vitest';
import { reportError } from '../../src/cli/errors-to-exit.js';
import { maskedSink } from '../../src/cli/execute.js';
import { outRenderedChunks } from '../../src/cli/common.js';
import { ConfigError, UsageError } from '../../src/errors.js';
import type { ProgressEvent } from '../../src/model/index.js';
import { registerSensitive } from '../../src/masking.js';

const SECRET = `pw "with\\ quotes'`;
registerSensitive({ values: [SECRET] });

const report = (err: unknown): string => {
  const lines: string[] = [];
  reportError(err, (l) => lines.push(l));
  return lines.join('\n');
};

describe('the top-level catch', () => {
  it.each([
    ['an mfile error', new UsageError(`engine said: ${SECRET}`)],
    ['an internal error', new Error(`boom ${JSON.stringify({ v: SECRET })}`)],
    ['a config issue', new ConfigError([{ file: 'machines.yml', line: 1, col: 1, message: `bad '${SECRET}'` }])],
    ['a message with the value across lines', new UsageError(`stderr:\n${SECRET}\nend`)],
  ])('masks %s', (_what, err) => {
    const out = report(err);
    expect(out).toContain('(sensitive)');
    expect(out).not.toContain('with\\ quotes');
    expect(out).not.toContain('pw "');
  });
});

describe('progress events', () => {
  it('reach the renderer masked, id and text', () => {
    const seen: ProgressEvent[] = [];
    maskedSink((e) => seen.push(e))({ id: `image.${SECRET}[m1]/pull`, status: 'failed', text: `failed: pull ${SECRET}: denied`, time: 0 });
    expect(JSON.stringify(seen)).not.toContain('with');
    expect(seen[0].text).toBe('failed: pull (sensitive): denied');
  });
});

describe('plan text written in chunks as it is made', () => {
  it('is masked as the whole text would be, also for a value that spans two chunks', () => {
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const written = (): string => write.mock.calls.map((c) => String(c[0])).join('');
    try {
      outRenderedChunks((emit) => {
        emit(`a ${SECRET} b\n`);
        emit('c\n');
      });
      expect(written()).toBe('a (sensitive) b\nc\n\n');
      registerSensitive({ values: ['end\nstart'] });
      write.mockClear();
      outRenderedChunks((emit) => {
        emit('the end\n');
        emit('start here\n');
      });
      expect(written()).toBe('the (sensitive) here\n\n');
    } finally {
      write.mockRestore();
    }
  });
});
