// Every item of a Hetzner Cloud list: the API pages its lists (per_page at most 50) and names the next page in
// `meta.pagination.next_page`.
import { listAllPages, type Pager, type Reply } from '../cloud/pages.js';
import { call, PROVIDER } from './client.js';

function nextPage(body: unknown): number | undefined {
  const next = (body as { meta?: { pagination?: { next_page?: unknown } } } | undefined)?.meta?.pagination?.next_page;
  return typeof next === 'number' && Number.isSafeInteger(next) ? next : undefined;
}

const pager: Pager = { provider: PROVIDER, call, next: nextPage };

export function listAll<B, T>(machine: string, operation: string, get: (page: number) => Reply<B>, pick: (body: B) => T[] | undefined): Promise<T[]> {
  return listAllPages(pager, machine, operation, get, pick);
}
