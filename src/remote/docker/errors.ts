// Engine API error helpers: dockerode rejects with { statusCode, json: { message } }.

export function statusOf(err: unknown): number | undefined {
  return typeof err === 'object' && err !== null && 'statusCode' in err ? Number((err as { statusCode: unknown }).statusCode) : undefined;
}

/** One line: the engine's own message when there is one, else the error's. */
export function engineMessage(err: unknown): string {
  if (typeof err === 'object' && err !== null) {
    const json = (err as { json?: unknown }).json;
    if (json && typeof json === 'object' && 'message' in json) return String((json as { message: unknown }).message).trim();
    if (Buffer.isBuffer(json)) return json.toString('utf8').trim();
    if ('reason' in err && 'statusCode' in err && !(err as { message?: string }).message) return String((err as { reason: unknown }).reason);
  }
  const msg = err instanceof Error ? err.message : String(err);
  const line = msg.split('\n')[0].replace(/^\(HTTP code \d+\) [a-z ]+ - /, '').trim();
  const code = (err as { code?: unknown } | null)?.code;
  // Socket errors alone ("read ECONNRESET") do not say which side went away.
  const hint = typeof code === 'string' ? SOCKET_HINTS[code] : undefined;
  return hint && !line.includes(hint) ? `${hint} (${line})` : line;
}

const SOCKET_HINTS: Record<string, string> = {
  ECONNRESET: 'the engine closed the connection',
  ECONNREFUSED: 'the engine does not answer (connection refused)',
  EHOSTUNREACH: 'the machine is unreachable',
  ETIMEDOUT: 'the engine did not answer in time',
  EPIPE: 'the engine closed the connection',
};

export const isNotFound = (err: unknown): boolean => statusOf(err) === 404;
export const isConflict = (err: unknown): boolean => statusOf(err) === 409;
export const isNotModified = (err: unknown): boolean => statusOf(err) === 304;
