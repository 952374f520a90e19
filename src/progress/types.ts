import type { ProgressSink } from '../model/index.js';

export type RendererKind = 'tty' | 'plain' | 'json';

export interface Renderer {
  sink: ProgressSink;
  /** Ends the view (finishes open tasks as not run). Await it before printing a summary. */
  stop(): Promise<void>;
}
