// Ctrl-C and SIGTERM. A run that can wind down (apply, destroy: handleInterrupts) stops scheduling on the first
// signal and exits at once on the second. Everything else (plan, refresh, the short verbs) has nothing to finish:
// the first signal exits at once. Either way the exit is 130 and the exit hooks drop the state lock it held.
export interface InterruptHandle {
  signal: AbortSignal;
  dispose(): void;
}

const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];
/** Runs winding down right now; while there is one, the first signal is theirs to handle. */
let windingDown = 0;

/** Installed once at start-up: without it Node dies on the signal at once and no exit hook runs. */
export function exitOnInterrupt(): void {
  const handler = (sig: NodeJS.Signals): void => {
    if (windingDown > 0) return;
    process.stderr.write(`\n${sig} received: stopping.\n`);
    process.exit(130);
  };
  for (const s of SIGNALS) process.on(s, handler);
}

export function handleInterrupts(onSecond: () => void): InterruptHandle {
  const controller = new AbortController();
  const handler = (sig: NodeJS.Signals): void => {
    if (controller.signal.aborted) {
      process.stderr.write(`\nWarning: second ${sig}: exiting at once; steps in flight may be left half done.\n`);
      onSecond();
      process.exit(130);
    }
    process.stderr.write(`\n${sig} received: finishing the steps in flight, then stopping (press Ctrl-C again to exit at once).\n`);
    controller.abort(new Error(`interrupted by ${sig}`));
  };
  for (const s of SIGNALS) process.on(s, handler);
  windingDown++;
  let disposed = false;
  return {
    signal: controller.signal,
    dispose() {
      if (disposed) return;
      disposed = true;
      windingDown--;
      for (const s of SIGNALS) process.off(s, handler);
    },
  };
}
