// An HTTP(S) download into a .part file that resumes where it stopped (Range requests), with a few attempts
// before a named error. Progress goes to the log in steps of 10%.
import { open, stat, truncate } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { DriverError } from '../../errors.js';

export interface DownloadOptions {
  attempts: number;
  /** Pause before attempt n+1 is n × this. */
  retryDelayMs: number;
  log?: (line: string) => void;
  signal?: AbortSignal;
}

async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

/** One attempt: appends to `part` from its current size. Resolves when the body ended with every byte. */
async function attempt(url: string, part: string, opts: DownloadOptions, label: string): Promise<void> {
  const have = await sizeOf(part);
  const res = await fetch(url, { headers: have > 0 ? { Range: `bytes=${have}-` } : {}, signal: opts.signal, redirect: 'follow' });
  if (res.status === 416 && have > 0) {
    // The part is already whole (or longer than the file): the checksum decides.
    await res.body?.cancel();
    return;
  }
  if (res.status !== 200 && res.status !== 206) {
    await res.body?.cancel();
    throw new Error(`HTTP ${res.status} ${res.statusText}`.trim());
  }
  // A server that ignores Range sends the whole file: start over.
  const from = res.status === 206 ? have : 0;
  if (from === 0 && have > 0) await truncate(part, 0);
  const length = Number(res.headers.get('content-length'));
  const total = Number.isFinite(length) && length > 0 ? from + length : undefined;
  if (!res.body) throw new Error('empty response');
  let got = from;
  let shown = total ? Math.floor((from / total) * 10) : 0;
  // Every chunk received is on disk before the next is read, so a cut connection resumes from all of it.
  const fh = await open(part, from > 0 ? 'a' : 'w', 0o600);
  try {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      await fh.write(chunk);
      got += chunk.length;
      const tenth = total ? Math.floor((got / total) * 10) : 0;
      if (total && tenth > shown) {
        shown = tenth;
        opts.log?.(`${label}: ${tenth * 10}% of ${Math.round(total / 2 ** 20)} MiB`);
      }
    }
  } finally {
    await fh.close();
  }
  if (total !== undefined && got < total) throw new Error(`connection closed after ${got} of ${total} bytes`);
}

export async function downloadTo(machine: string, url: string, part: string, o: Partial<DownloadOptions> = {}): Promise<void> {
  const opts: DownloadOptions = { attempts: 4, retryDelayMs: 1000, ...o };
  const label = `${machine}: download`;
  let last = '';
  for (let n = 1; n <= opts.attempts; n++) {
    try {
      await attempt(url, part, opts, label);
      return;
    } catch (e) {
      if (opts.signal?.aborted) throw e;
      const cause = (e as { cause?: { message?: string } }).cause?.message;
      last = cause ? `${(e as Error).message}: ${cause}` : (e as Error).message;
      if (n < opts.attempts) {
        opts.log?.(`${label}: attempt ${n} failed (${last}); resuming at ${await sizeOf(part)} bytes`);
        await sleep(n * opts.retryDelayMs, undefined, { signal: opts.signal });
      }
    }
  }
  throw new DriverError(machine, `download of ${url} failed after ${opts.attempts} attempts: ${last}`);
}
