// A fetch that retries what a cloud API asks to be retried: 429 (after Retry-After or the rate-limit reset the
// response names) and 5xx, with exponential backoff and full jitter, within a bound of attempts and time.
// A POST is retried only where the request surely did nothing (429, connection refused): a POST answered 5xx may
// have created the thing, so its caller looks for it by labels before trying again (see adopt.ts).

export interface RetryPolicy {
  /** Tries in all, the first included. */
  attempts: number;
  /** First backoff step; each retry doubles it (before jitter). */
  baseMs: number;
  /** No single wait is longer than this. */
  maxDelayMs: number;
  /** A wait the provider asks for that is longer than this ends the retries instead. */
  maxRetryAfterMs: number;
  /** Told about each retry (one line for progress). */
  onRetry?: (why: string, waitMs: number, attempt: number) => void;
  random?: () => number;
  now?: () => number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 6, baseMs: 500, maxDelayMs: 15_000, maxRetryAfterMs: 60_000 };

const IDEMPOTENT = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']);

/** The wait (ms) a 429 or 503 asks for: Retry-After (seconds or an HTTP date), else a RateLimit-Reset time. */
export function askedWaitMs(headers: Headers, now: number): number | undefined {
  const after = headers.get('retry-after');
  if (after !== null && after.trim() !== '') {
    const secs = Number(after);
    if (Number.isFinite(secs)) return Math.max(0, secs * 1000);
    const at = Date.parse(after);
    if (!Number.isNaN(at)) return Math.max(0, at - now);
  }
  // Hetzner and DigitalOcean send the Unix time when the budget refills; the IETF draft sends seconds from now.
  const reset = Number(headers.get('ratelimit-reset') ?? headers.get('x-ratelimit-reset') ?? NaN);
  if (Number.isFinite(reset)) return Math.max(0, reset > 1e9 ? reset * 1000 - now : reset * 1000);
  return undefined;
}

/** Full jitter: a random wait up to the doubled step, capped. */
export function backoffMs(attempt: number, p: RetryPolicy): number {
  const cap = Math.min(p.maxDelayMs, p.baseMs * 2 ** (attempt - 1));
  return Math.round((p.random ?? Math.random)() * cap);
}

function sleep(ms: number, signal: AbortSignal | null): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(t);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function refusedBeforeSending(err: unknown): boolean {
  const code = ((err as { cause?: { code?: string } }).cause ?? (err as { code?: string }))?.code;
  return code === 'ECONNREFUSED';
}

/** Wraps `inner` (global fetch by default) with the policy. The request is cloned for every try. */
export function retryingFetch(policy: RetryPolicy, inner: (r: Request) => Promise<Response> = (r) => fetch(r)): (r: Request) => Promise<Response> {
  return async (request: Request): Promise<Response> => {
    const idempotent = IDEMPOTENT.has(request.method.toUpperCase());
    const now = policy.now ?? Date.now;
    for (let attempt = 1; ; attempt++) {
      const last = attempt >= policy.attempts;
      let res: Response;
      try {
        res = await inner(request.clone());
      } catch (err) {
        if (last || request.signal?.aborted || !(idempotent || refusedBeforeSending(err))) throw err;
        const wait = backoffMs(attempt, policy);
        policy.onRetry?.(`${(err as Error).message}`, wait, attempt);
        await sleep(wait, request.signal);
        continue;
      }
      const retryable = res.status === 429 || (res.status >= 500 && idempotent);
      if (!retryable || last) return res;
      const asked = res.status === 429 || res.status === 503 ? askedWaitMs(res.headers, now()) : undefined;
      // A provider asking for a longer pause than we will wait: hand its answer (and message) to the caller.
      if (asked !== undefined && asked > policy.maxRetryAfterMs) return res;
      const wait = asked !== undefined ? Math.min(policy.maxRetryAfterMs, asked + backoffMs(1, policy) / 4) : backoffMs(attempt, policy);
      policy.onRetry?.(`HTTP ${res.status}`, wait, attempt);
      await res.body?.cancel().catch(() => undefined);
      await sleep(wait, request.signal);
    }
  };
}
