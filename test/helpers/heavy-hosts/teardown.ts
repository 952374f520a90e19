// Undo steps recorded as things are made, run newest first; every step runs even when an earlier one fails.
export class Teardown {
  private steps: { what: string; fn: () => void | Promise<void> }[] = [];

  add(what: string, fn: () => void | Promise<void>): void {
    this.steps.push({ what, fn });
  }

  /** Runs all steps (newest first); returns the failures as "what: message". */
  async run(): Promise<string[]> {
    const failures: string[] = [];
    while (this.steps.length) {
      const s = this.steps.pop()!;
      try {
        await s.fn();
      } catch (e) {
        failures.push(`${s.what}: ${(e as Error).message}`);
      }
    }
    return failures;
  }
}
