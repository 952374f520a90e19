// Serialised, coalescing state writes: every finished node is persisted, and a burst of finished nodes
// shares one write instead of queueing a write (fsync + rename) per node.
import type { State } from '../model/index.js';

export class Checkpointer {
  private current: State;
  private writing: Promise<void> | undefined;
  private dirty = false;
  private error: unknown;

  constructor(
    private readonly store: { write(state: State): Promise<State> },
    state: State,
  ) {
    this.current = structuredClone(state);
  }

  get state(): State {
    return this.current;
  }

  /** Changes the in-memory state and schedules a write. */
  update(change: (s: State) => void): void {
    change(this.current);
    this.dirty = true;
    if (!this.writing) this.writing = this.loop();
  }

  private async loop(): Promise<void> {
    try {
      while (this.dirty) {
        this.dirty = false;
        const written = await this.store.write(structuredClone(this.current));
        this.current.serial = written.serial;
      }
    } catch (err) {
      this.error ??= err;
    } finally {
      this.writing = undefined;
    }
  }

  /** Waits until everything updated so far is on disk; rethrows a failed write. */
  async flush(): Promise<State> {
    while (this.writing) await this.writing;
    if (this.error) throw this.error;
    return this.current;
  }
}
