// Every item of a paged cloud list. Both OpenAPI clouds page their lists and name the next page in the answer
// (each in its own place: `next`); a driver reading the first page only would miss a server, key or firewall it
// made, or call an image the user named unknown.
import { DriverError } from '../../errors.js';
import type { ApiCaller } from './api-call.js';

/** What an openapi-fetch call returns. */
export type Reply<B> = Promise<{ data?: B; error?: unknown; response: Response }>;

/** The most pages a list may take: far beyond any account, and an end to a server that loops. */
const MAX_PAGES = 500;

export interface Pager {
  provider: string;
  call: ApiCaller['call'];
  /** The page after `current` that the answer names, if any. */
  next(body: unknown, current: number): number | undefined;
}

/** Asks for page 1, then each page the answers name, and joins the items `pick` takes from each answer. */
export async function listAllPages<B, T>(
  pager: Pager,
  machine: string,
  operation: string,
  get: (page: number) => Reply<B>,
  pick: (body: B) => T[] | undefined,
): Promise<T[]> {
  const items: T[] = [];
  let page: number | undefined = 1;
  for (let n = 0; page !== undefined; n++) {
    if (n === MAX_PAGES) throw new DriverError(machine, `${pager.provider} API ${operation}: more than ${MAX_PAGES} pages`);
    const body: B = await pager.call(machine, page === 1 ? operation : `${operation} (page ${page})`, get(page));
    items.push(...(pick(body) ?? []));
    const after = pager.next(body, page);
    page = after !== undefined && after > page ? after : undefined;
  }
  return items;
}
