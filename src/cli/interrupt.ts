// First Ctrl-C (or SIGTERM): stop scheduling and wind down cleanly. Second: exit at once.
export interface InterruptHandle {
  signal: AbortSignal;
  dispose(): void;
}

export function handleInterrupts(onSecond: () => void): InterruptHandle {
  const controller = new AbortController();
  const handler = (sig: NodeJS.Signals): void => {
    if (controller.signal.aborted) {
      process.stderr.write(`\nWarning: second ${sig}: exiting at once; steps in flight may be left half done and the state lock may be held.\n`);
      onSecond();
      process.exit(130);
    }
    process.stderr.write(`\n${sig} received: finishing the steps in flight, then stopping (press Ctrl-C again to exit at once).\n`);
    controller.abort(new Error(`interrupted by ${sig}`));
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal: controller.signal,
    dispose() {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}
