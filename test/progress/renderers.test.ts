// Renderers turn executor events into output: plain lines, JSON lines, and a listr2 tree per machine.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { formatPlainLine } from '../../src/progress/index.js';
import { plainRenderer } from '../../src/progress/plain.js';
import { jsonRenderer } from '../../src/progress/json.js';
import { ttyRenderer } from '../../src/progress/tty.js';
import type { ProgressEvent } from '../../src/model/index.js';
import { node, planOf } from '../helpers/fixtures.js';

const at = Date.parse('2026-11-23T13:00:00.456Z');
const ev = (id: string, status: ProgressEvent['status'], text: string, elapsedMs?: number): ProgressEvent => ({ id, status, text, time: at, ...(elapsedMs !== undefined ? { elapsedMs } : {}), parent: 'machine.m1' });

function collect(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (d: Buffer) => (text += d.toString()));
  return { stream, text: () => text };
}

describe('plain renderer', () => {
  it('prints a timestamped line naming the address', () => {
    expect(formatPlainLine(ev('container.web[m1]', 'done', 'created', 1234))).toBe('2026-11-23T13:00:00Z container.web[m1] created (1.2s)');
  });

  it('leaves out pending events', () => {
    const out = collect();
    const r = plainRenderer(out.stream);
    r.sink(ev('container.web[m1]', 'pending', 'create container.web[m1]'));
    r.sink(ev('container.web[m1]', 'failed', 'failed: port is already allocated', 300));
    expect(out.text()).toBe('2026-11-23T13:00:00Z container.web[m1] failed: port is already allocated (0.3s)\n');
  });
});

describe('json renderer', () => {
  it('writes one parseable event per line', () => {
    const out = collect();
    const r = jsonRenderer(out.stream);
    r.sink(ev('a', 'running', 'creating…'));
    r.sink(ev('a', 'done', 'created', 5));
    const lines = out.text().trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.id, l.status, l.text])).toEqual([
      ['a', 'running', 'creating…'],
      ['a', 'done', 'created'],
    ]);
  });
});

// A PassThrough is no terminal, so listr2 falls back to its simple line renderer here: these check the event to
// task mapping only. The real terminal view is tested in a tmux pane (terminal-view.test.ts).
describe('tty renderer mapping, on a non-terminal stream (listr2 simple fallback)', () => {
  it('shows each node under its machine and ends when stopped', async () => {
    const out = collect();
    const plan = planOf([node('container.web[m1]', 'create'), node('container.db[m1]', 'create'), node('network.n[m1]', 'noop')]);
    const r = ttyRenderer(plan, out.stream as unknown as NodeJS.WriteStream);
    r.sink(ev('container.db[m1]', 'running', 'creating…'));
    r.sink(ev('container.db[m1]', 'done', 'created', 1500));
    r.sink(ev('container.web[m1]', 'failed', 'failed: boom', 100));
    await r.stop();
    const text = out.text();
    expect(text).toContain('machine m1');
    expect(text).toContain('container.db[m1] created (1.5s)');
    expect(text).toContain('container.web[m1] failed: boom');
    expect(text).not.toContain('network.n[m1]');
  });

  it('settles a node whose address holds a slash, and takes its sub-steps as output, not as "not run"', async () => {
    const out = collect();
    const image = 'image.mfile-test/app:1[m1]';
    const r = ttyRenderer(planOf([node(image, 'create')]), out.stream as unknown as NodeJS.WriteStream);
    r.sink(ev(image, 'running', 'building…'));
    r.sink({ ...ev(`${image}/build`, 'running', 'Step 1/2 : FROM busybox'), parent: image });
    r.sink(ev(image, 'done', 'built', 700));
    await r.stop();
    expect(out.text()).toContain(`${image} built (0.7s)`);
    expect(out.text()).not.toContain('not run');
  });
});
