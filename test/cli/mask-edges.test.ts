// The CLI's edges pass text through the process-wide masker: the one top-level catch and progress events.
import { describe, expect, it } from 'vitest';
import { reportError } from '../../src/cli/errors-to-exit.js';
import { maskedSink } from '../../src/cli/execute.js';
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
