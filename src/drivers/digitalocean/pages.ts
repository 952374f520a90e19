// Every item of a DigitalOcean list. The API pages its lists (per_page at most 200) and names the next page in
// `links.pages.next`; a driver reading the first page only would miss a Droplet, key or firewall it made.
import { DriverError } from '../../errors.js';
import { call } from './client.js';

type Reply<B> = Promise<{ data?: B; error?: unknown; response: Response }>;

/** The most a list may hold in pages (of 200): far beyond any account, and an end to a server that loops. */
const MAX_PAGES = 500;

/** The page number `links.pages.next` names, when it names one after `current`. */
function nextPage(body: unknown, current: number): number | undefined {
  const next = (body as { links?: { pages?: { next?: unknown } } } | undefined)?.links?.pages?.next;
  if (typeof next !== 'string') return undefined;
  let page: number;
  try {
    page = Number(new URL(next).searchParams.get('page'));
  } catch {
    return undefined;
  }
  return Number.isSafeInteger(page) && page > current ? page : undefined;
}

/**
 * Asks for page 1, then each page `links.pages.next` names, through our own client (the link's host may be one
 * the client does not reach, behind a proxy), and joins the items `pick` takes from each answer.
 */
export async function listAll<B, T>(machine: string, operation: string, get: (page: number) => Reply<B>, pick: (body: B) => T[] | undefined): Promise<T[]> {
  const items: T[] = [];
  let page: number | undefined = 1;
  for (let n = 0; page !== undefined; n++) {
    if (n === MAX_PAGES) throw new DriverError(machine, `digitalocean API ${operation}: more than ${MAX_PAGES} pages`);
    const body: B = await call(machine, page === 1 ? operation : `${operation} (page ${page})`, get(page));
    items.push(...(pick(body) ?? []));
    page = nextPage(body, page);
  }
  return items;
}
