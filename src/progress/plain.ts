// Plain lines for logs and CI: `2026-11-23T13:00:00Z container.web[m1] created (1.2s)`.
import type { ProgressEvent } from '../model/index.js';
import type { Renderer } from './types.js';

export function formatPlainLine(e: ProgressEvent): string {
  const time = new Date(e.time).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const elapsed = e.elapsedMs !== undefined ? ` (${(e.elapsedMs / 1000).toFixed(1)}s)` : '';
  return `${time} ${e.id} ${e.text}${elapsed}`;
}

export function plainRenderer(out: NodeJS.WritableStream = process.stderr): Renderer {
  return {
    // Pending events only list the plan again; the plan text was already printed.
    sink: (e) => {
      if (e.status !== 'pending') out.write(formatPlainLine(e) + '\n');
    },
    stop: async () => {},
  };
}
