// Polling the engine until a swarm condition holds: the engine pushes no event for "converged", so apply asks
// every half second, bounded by a deadline and by the run's abort signal.
import { setTimeout as sleep } from 'node:timers/promises';
import type { StepContext } from '../types.js';

export const POLL_MS = 500;

export async function pollUntil(ctx: StepContext, timeoutMs: number, done: () => Promise<boolean>, failure: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await done()) return;
    if (Date.now() > deadline) throw new Error(`${failure} within ${Math.round(timeoutMs / 1000)} s`);
    await sleep(POLL_MS, undefined, { signal: ctx.signal });
  }
}
