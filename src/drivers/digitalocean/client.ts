// The DigitalOcean API client: openapi-fetch typed from DigitalOcean's API description (api-types.ts, cut to the
// operations used by scripts/gen-cloud-types.sh), with the shared retry policy and named errors.
import createClient, { type Client } from 'openapi-fetch';
import { apiCaller } from '../cloud/api-call.js';
import { DEFAULT_RETRY, retryingFetch, type RetryPolicy } from '../cloud/retry.js';
import type { components, paths } from './api-types.js';

export type DoClient = Client<paths>;
export type Droplet = components['schemas']['droplet'];
export type DoAction = components['schemas']['action'];
export type DoSshKey = components['schemas']['sshKeys'];

export const PROVIDER = 'digitalocean';

export function digitaloceanClient(apiUrl: string, token: string, retry: RetryPolicy = DEFAULT_RETRY, log?: (line: string) => void): DoClient {
  return createClient<paths>({
    baseUrl: apiUrl,
    headers: { Authorization: `Bearer ${token}`, 'User-Agent': 'mfile' },
    fetch: retryingFetch({ ...retry, onRetry: (why, ms) => log?.(`digitalocean API: ${why}; trying again in ${(ms / 1000).toFixed(1)} s`) }),
  });
}

function pick(body: unknown): { code?: string; message?: string } {
  const b = body as { id?: unknown; message?: unknown };
  return { code: typeof b.id === 'string' ? b.id : undefined, message: typeof b.message === 'string' ? b.message : undefined };
}

export const { call, callOrGone } = apiCaller(PROVIDER, pick);
