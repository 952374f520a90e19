// The `digitalocean:` block with its defaults.
import type { MachineSpec } from '../../model/index.js';
import { userDataOf } from '../cloud/cloud-init.js';
import { sourcesOf } from '../cloud/firewall-sources.js';

export interface DigitalOceanOptions {
  region: string;
  size: string;
  image: string;
  vpcUuid?: string;
  monitoring: boolean;
  ipv6: boolean;
  tags: string[];
  sshSources: string[];
  engineSources: string[];
  userData: string;
  apiUrl: string;
  tokenFile?: string;
}

export const DEFAULT_API_URL = 'https://api.digitalocean.com';

export function digitaloceanOptions(m: MachineSpec): DigitalOceanOptions {
  const o = m.driverOptions ?? {};
  const str = (v: unknown, d: string): string => (typeof v === 'string' && v !== '' ? v : d);
  return {
    region: str(o.region, 'nyc3'),
    size: str(o.size, 's-1vcpu-1gb'),
    image: str(o.image, 'debian-12-x64'),
    vpcUuid: typeof o.vpc_uuid === 'string' ? o.vpc_uuid : undefined,
    monitoring: o.monitoring === true,
    ipv6: o.ipv6 === true,
    tags: Array.isArray(o.tags) ? o.tags.map(String) : [],
    sshSources: sourcesOf(o.ssh_sources),
    engineSources: sourcesOf(o.engine_sources),
    userData: userDataOf(o.user_data),
    apiUrl: str(o.api_url, str(process.env.DIGITALOCEAN_API_URL, DEFAULT_API_URL)).replace(/\/+$/, ''),
    tokenFile: typeof o.token_file === 'string' ? o.token_file : undefined,
  };
}

/** DigitalOcean tags are plain names: the project and machine labels become `key:value` tags. */
export function ownerTags(labels: Record<string, string>): string[] {
  return Object.entries(labels).map(([k, v]) => `${k}:${v}`);
}
