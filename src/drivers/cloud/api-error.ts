// A cloud API's refusal as a named error: which provider, which operation, the HTTP status, and the provider's
// own code and message, quoted on one line. Never the token: it is in a request header, which no message reads.
import { DriverError } from '../../errors.js';

export class CloudApiError extends DriverError {
  constructor(
    machine: string,
    readonly provider: string,
    readonly operation: string,
    readonly status: number,
    readonly code: string | undefined,
    readonly providerMessage: string,
  ) {
    super(machine, `${provider} API ${operation}: ${describe(provider, status, code, providerMessage)}`);
  }

  /** 5xx and 429: another try may succeed. */
  get retryable(): boolean {
    return this.status >= 500 || this.status === 429;
  }
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim().slice(0, 300);
}

function describe(provider: string, status: number, code: string | undefined, message: string): string {
  // No answer at all (connection refused, DNS): the transport's own words.
  if (status === 0) return oneLine(message);
  const quoted = `${status}${code ? ` ${code}` : ''}: ${oneLine(message) || '(no message)'}`;
  if (status === 401) return `the ${provider} API refused the token (${quoted})`;
  if (status === 403) return `the token may not do this (${quoted})`;
  if (status === 429) return `rate limited and out of retries (${quoted})`;
  return quoted;
}

/** The error for a failed call: `body` is whatever the provider answered (parsed JSON, if any). */
export function apiError(
  machine: string,
  provider: string,
  operation: string,
  status: number,
  body: unknown,
  pick: (body: unknown) => { code?: string; message?: string },
): CloudApiError {
  const { code, message } = body && typeof body === 'object' ? pick(body) : {};
  return new CloudApiError(machine, provider, operation, status, code, message ?? (typeof body === 'string' ? body : ''));
}
