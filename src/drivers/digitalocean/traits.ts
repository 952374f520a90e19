// Driver `digitalocean` as data: makes a Droplet, provisions it over SSH; removing the machine destroys the
// Droplet (and everything on it), its uploaded SSH key and its firewall.
import type { DriverTraits } from '../../model/index.js';

const cidrs = { type: 'array', minItems: 1, items: { type: 'string', pattern: '^[0-9a-fA-F:.]+/[0-9]{1,3}$' } };
const slug = { type: 'string', minLength: 1, pattern: '^[^-\\s]' };

export const digitaloceanTraits: DriverTraits = {
  name: 'digitalocean',
  kind: 'builtin',
  block: 'digitalocean',
  blockSchema: {
    type: 'object',
    additionalProperties: false,
    description: 'Options of driver digitalocean: a Droplet on DigitalOcean. The API token comes from DIGITALOCEAN_ACCESS_TOKEN or token_file.',
    properties: {
      region: { ...slug, description: 'Region slug (default nyc3).' },
      size: { ...slug, description: 'Size slug (default s-1vcpu-1gb).' },
      image: { ...slug, description: 'Image slug (default debian-12-x64).' },
      vpc_uuid: { type: 'string', description: 'VPC to place the Droplet in (default: the region default VPC).' },
      monitoring: { type: 'boolean', description: 'Install the DigitalOcean monitoring agent (default false).' },
      ipv6: { type: 'boolean', description: 'Enable IPv6 (default false).' },
      tags: { type: 'array', items: { type: 'string', pattern: '^[A-Za-z0-9:_\\-]{1,255}$' }, description: 'Extra Droplet tags (mfile-project and mfile-machine are always set).' },
      ssh_sources: { ...cidrs, description: 'Addresses the firewall lets reach SSH (default 0.0.0.0/0 and ::/0).' },
      engine_sources: { ...cidrs, description: 'Addresses the firewall lets reach the Docker API port (default 0.0.0.0/0 and ::/0; the plan flags a world-open port).' },
      user_data: { type: 'string', description: 'cloud-init user data (default: a cloud-config that turns off password logins).' },
      api_url: { type: 'string', pattern: '^https?://', description: 'API endpoint (default $DIGITALOCEAN_API_URL or https://api.digitalocean.com).' },
      token_file: { type: 'string', description: 'File holding the API token (default: the DIGITALOCEAN_ACCESS_TOKEN environment variable).' },
    },
  },
  blockRequired: false,
  creates: true,
  recordOnly: false,
  provisioned: true,
  removesHostedObjects: true,
  lifecycle: ['start', 'stop', 'restart', 'kill'],
  sshBlock: false,
  addressKeys: [],
  secretKeys: [],
  engineSourcesKey: 'engine_sources',
};
