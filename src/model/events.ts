// Progress events: the executor emits these; renderers at the CLI edge turn them into output.

export type EventStatus = 'pending' | 'running' | 'done' | 'failed' | 'skipped' | 'info' | 'warning';

export interface ProgressEvent {
  /** A plan address (`container.web[m1]`) or a step below it (`container.web[m1]/pull`). */
  id: string;
  /** The parent task: `machine.NAME` for steps on a machine; undefined for top-level tasks. */
  parent?: string;
  status: EventStatus;
  /** One line, already masked. */
  text: string;
  /** ms since the epoch */
  time: number;
  /** Elapsed ms for done/failed. */
  elapsedMs?: number;
}

export type ProgressSink = (event: ProgressEvent) => void;
