// One openapi-fetch call's result as data or a named error: the same for every OpenAPI cloud, which differ only in
// where their error body keeps its code and message (`pick`).
import { apiError } from './api-error.js';

type Reply<T> = Promise<{ data?: T; error?: unknown; response: Response }>;
type Pick = (body: unknown) => { code?: string; message?: string };

export interface ApiCaller {
  /** The data of a successful call; otherwise a CloudApiError quoting the provider's code and message. */
  call<T>(machine: string, operation: string, p: Reply<T>): Promise<T>;
  /** Like call, but a 404 gives undefined (the object is gone). */
  callOrGone<T>(machine: string, operation: string, p: Reply<T>): Promise<T | undefined>;
}

export function apiCaller(provider: string, pick: Pick): ApiCaller {
  async function call<T>(machine: string, operation: string, p: Reply<T>): Promise<T> {
    let r: Awaited<Reply<T>>;
    try {
      r = await p;
    } catch (err) {
      throw apiError(machine, provider, operation, 0, `cannot reach the API: ${(err as Error).message}`, pick);
    }
    if (r.response.ok) return r.data as T;
    throw apiError(machine, provider, operation, r.response.status, r.error, pick);
  }
  async function callOrGone<T>(machine: string, operation: string, p: Reply<T>): Promise<T | undefined> {
    try {
      return await call(machine, operation, p);
    } catch (err) {
      if ((err as { status?: number }).status === 404) return undefined;
      throw err;
    }
  }
  return { call, callOrGone };
}
