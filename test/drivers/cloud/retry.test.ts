// The cloud retry policy: which answers are retried, for how long the provider asks, and which never are
// (a POST answered 5xx may have made the thing: its caller looks before trying again).
import { describe, expect, it } from 'vitest';
import { askedWaitMs, backoffMs, retryingFetch, type RetryPolicy } from '../../../src/drivers/cloud/retry.js';

const NOW = Date.parse('2026-12-02T08:00:00Z');
const policy = (over: Partial<RetryPolicy> = {}): RetryPolicy => ({ attempts: 3, baseMs: 1, maxDelayMs: 5, maxRetryAfterMs: 1000, random: () => 1, ...over });

function scripted(answers: (number | Error)[], seen: string[]) {
  return async (r: Request): Promise<Response> => {
    seen.push(`${r.method} ${await r.text()}`);
    const a = answers.shift()!;
    if (a instanceof Error) throw a;
    return new Response(JSON.stringify({ status: a }), { status: a, headers: a === 429 ? { 'retry-after': '0' } : {} });
  };
}

describe('askedWaitMs', () => {
  it('reads Retry-After as seconds or a date, else RateLimit-Reset as a Unix time or seconds from now', () => {
    expect(askedWaitMs(new Headers({ 'retry-after': '7' }), NOW)).toBe(7000);
    expect(askedWaitMs(new Headers({ 'retry-after': 'Wed, 02 Dec 2026 08:00:30 GMT' }), NOW)).toBe(30_000);
    expect(askedWaitMs(new Headers({ 'ratelimit-reset': String(NOW / 1000 + 12) }), NOW)).toBe(12_000);
    expect(askedWaitMs(new Headers({ 'ratelimit-reset': '4' }), NOW)).toBe(4000);
    expect(askedWaitMs(new Headers({}), NOW)).toBeUndefined();
  });
});

describe('backoffMs', () => {
  it('doubles up to the cap, scaled by the jitter', () => {
    const p = policy({ baseMs: 100, maxDelayMs: 1000 });
    expect([1, 2, 3, 4, 5].map((n) => backoffMs(n, p))).toEqual([100, 200, 400, 800, 1000]);
    expect(backoffMs(3, { ...p, random: () => 0.5 })).toBe(200);
  });
});

describe('retryingFetch', () => {
  const post = () => new Request('http://api.test/servers', { method: 'POST', body: '{"name":"a"}' });
  const get = () => new Request('http://api.test/servers');

  it('retries a GET answered 5xx, up to the attempts, and hands back the last answer', async () => {
    const seen: string[] = [];
    const res = await retryingFetch(policy(), scripted([500, 502, 503], seen))(get());
    expect(res.status).toBe(503);
    expect(seen).toHaveLength(3);
  });

  it('retries a 429 even for a POST, sending the same body again', async () => {
    const seen: string[] = [];
    const res = await retryingFetch(policy(), scripted([429, 201], seen))(post());
    expect(res.status).toBe(201);
    expect(seen).toEqual(['POST {"name":"a"}', 'POST {"name":"a"}']);
  });

  it('never retries a POST answered 5xx', async () => {
    const seen: string[] = [];
    const res = await retryingFetch(policy(), scripted([500, 201], seen))(post());
    expect(res.status).toBe(500);
    expect(seen).toHaveLength(1);
  });

  it('retries a POST whose connection was refused (nothing was sent), not one that broke mid-way', async () => {
    const refused = Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
    const reset = Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNRESET' } });
    const seen: string[] = [];
    expect((await retryingFetch(policy(), scripted([refused, 201], seen))(post())).status).toBe(201);
    await expect(retryingFetch(policy(), scripted([reset, 201], []))(post())).rejects.toThrow('fetch failed');
  });

  it('hands back a 429 whose Retry-After is beyond the bound at once', async () => {
    const seen: string[] = [];
    const inner = async (r: Request) => (seen.push(r.method), new Response('{}', { status: 429, headers: { 'retry-after': '3600' } }));
    expect((await retryingFetch(policy(), inner)(get())).status).toBe(429);
    expect(seen).toHaveLength(1);
  });
});
