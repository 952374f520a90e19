// Wait for a cloud object to reach a state, polling, with the provider's status as progress (each change once),
// until a deadline. A timeout names what was awaited and the last status seen.
import { DriverError } from '../../errors.js';

export interface WaitOptions<T> {
  machine: string;
  /** What we wait for, e.g. "server 42 to be running". */
  what: string;
  poll: () => Promise<T>;
  done: (v: T) => boolean;
  /** The provider's status, shown as progress. */
  status: (v: T) => string;
  timeoutMs: number;
  intervalMs: number;
  log?: (line: string) => void;
  signal?: AbortSignal;
}

export class CloudTimeoutError extends DriverError {}

function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(t), reject(signal.reason)), { once: true });
  });
}

export async function waitFor<T>(o: WaitOptions<T>): Promise<T> {
  const deadline = Date.now() + o.timeoutMs;
  let shown: string | undefined;
  for (;;) {
    const v = await o.poll();
    const s = o.status(v);
    if (s !== shown) {
      o.log?.(`${o.machine}: waiting for ${o.what}: ${s}`);
      shown = s;
    }
    if (o.done(v)) return v;
    if (Date.now() >= deadline) {
      throw new CloudTimeoutError(o.machine, `gave up waiting for ${o.what} after ${Math.round(o.timeoutMs / 1000)} s (last status: ${s})`);
    }
    await pause(Math.min(o.intervalMs, Math.max(0, deadline - Date.now())), o.signal);
  }
}

/** Seconds from an environment variable (tests shorten waits), else the default. */
export function secondsFromEnv(name: string, defaultMs: number): number {
  const s = Number(process.env[name]);
  return s > 0 ? s * 1000 : defaultMs;
}
