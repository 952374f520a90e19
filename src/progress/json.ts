// One JSON event per line on stdout (`--json`), for other programs.
import type { Renderer } from './types.js';

export function jsonRenderer(out: NodeJS.WritableStream = process.stdout): Renderer {
  return {
    sink: (e) => void out.write(JSON.stringify(e) + '\n'),
    stop: async () => {},
  };
}
