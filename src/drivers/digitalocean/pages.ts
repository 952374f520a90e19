// Every item of a DigitalOcean list: the API pages its lists (per_page at most 200) and names the next page's URL
// in `links.pages.next`.
import { listAllPages, type Pager, type Reply } from '../cloud/pages.js';
import { call, PROVIDER } from './client.js';

/** The page number `links.pages.next` names. */
function nextPage(body: unknown): number | undefined {
  const next = (body as { links?: { pages?: { next?: unknown } } } | undefined)?.links?.pages?.next;
  if (typeof next !== 'string') return undefined;
  try {
    const page = Number(new URL(next).searchParams.get('page'));
    return Number.isSafeInteger(page) ? page : undefined;
  } catch {
    return undefined;
  }
}

const pager: Pager = { provider: PROVIDER, call, next: nextPage };

/** Asks for page 1, then each page `links.pages.next` names, through our own client (the link's host may be one
 * the client does not reach, behind a proxy), and joins the items `pick` takes from each answer. */
export function listAll<B, T>(machine: string, operation: string, get: (page: number) => Reply<B>, pick: (body: B) => T[] | undefined): Promise<T[]> {
  return listAllPages(pager, machine, operation, get, pick);
}
