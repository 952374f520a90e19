// Renderers are picked at the CLI edge: tty (listr2 on stderr), plain lines, or JSON lines on stdout.
import type { Plan, ProgressEvent } from '../model/index.js';
import { terminalLine } from '../terminal-text.js';
import { jsonRenderer } from './json.js';
import { plainRenderer } from './plain.js';
import { ttyRenderer } from './tty.js';
import type { Renderer, RendererKind } from './types.js';

export type { Renderer, RendererKind } from './types.js';
export { formatPlainLine } from './plain.js';

/** tty needs the plan to lay out its task tree; without one it falls back to plain lines. */
export function createRenderer(kind: RendererKind, plan?: Plan): Renderer {
  if (kind === 'json') return jsonRenderer();
  return terminalSafe(kind === 'tty' && plan ? ttyRenderer(plan) : plainRenderer());
}

/** Event text quotes engines and hosts: the renderers that write to a terminal get it escaped. */
function terminalSafe(r: Renderer): Renderer {
  return { ...r, sink: (e: ProgressEvent) => r.sink({ ...e, id: terminalLine(e.id), text: terminalLine(e.text) }) };
}
