// The `hetzner:` block with its defaults.
import type { MachineSpec } from '../../model/index.js';
import { userDataOf } from '../cloud/cloud-init.js';
import { sourcesOf } from '../cloud/firewall-sources.js';

export interface HetznerOptions {
  location: string;
  serverType: string;
  image: string;
  networks: number[];
  labels: Record<string, string>;
  sshSources: string[];
  engineSources: string[];
  userData: string;
  apiUrl: string;
  tokenFile?: string;
}

export const DEFAULT_API_URL = 'https://api.hetzner.cloud/v1';

export function hetznerOptions(m: MachineSpec): HetznerOptions {
  const o = m.driverOptions ?? {};
  const str = (v: unknown, d: string): string => (typeof v === 'string' && v !== '' ? v : d);
  return {
    location: str(o.location, 'fsn1'),
    serverType: str(o.server_type, 'cx22'),
    image: str(o.image, 'debian-12'),
    networks: Array.isArray(o.networks) ? o.networks.map(Number) : [],
    labels: o.labels && typeof o.labels === 'object' ? Object.fromEntries(Object.entries(o.labels).map(([k, v]) => [k, String(v)])) : {},
    sshSources: sourcesOf(o.ssh_sources),
    engineSources: sourcesOf(o.engine_sources),
    userData: userDataOf(o.user_data),
    apiUrl: str(o.api_url, str(process.env.HCLOUD_ENDPOINT, DEFAULT_API_URL)).replace(/\/+$/, ''),
    tokenFile: typeof o.token_file === 'string' ? o.token_file : undefined,
  };
}
