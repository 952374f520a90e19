// Driver `hetzner` as data: makes a server on Hetzner Cloud, provisions it over SSH; removing the machine deletes
// the server (and everything on it), its uploaded SSH key and its firewall.
import type { DriverTraits } from '../../model/index.js';

const cidrs = { type: 'array', minItems: 1, items: { type: 'string', pattern: '^[0-9a-fA-F:.]+/[0-9]{1,3}$' } };
const name = { type: 'string', minLength: 1, pattern: '^[^-\\s]' };

export const hetznerTraits: DriverTraits = {
  name: 'hetzner',
  kind: 'builtin',
  block: 'hetzner',
  blockSchema: {
    type: 'object',
    additionalProperties: false,
    description: 'Options of driver hetzner: a server on Hetzner Cloud. The API token comes from HCLOUD_TOKEN or token_file.',
    properties: {
      location: { ...name, description: 'Location name (default fsn1), e.g. fsn1, nbg1, hel1, ash, hil, sin.' },
      server_type: { ...name, description: 'Server type name (default cx22).' },
      image: { ...name, description: 'Image name (default debian-12).' },
      networks: { type: 'array', items: { type: 'integer', minimum: 1 }, description: 'IDs of private networks to attach.' },
      labels: {
        type: 'object',
        additionalProperties: { type: 'string', maxLength: 63 },
        description: 'Extra labels on the server (mfile-project and mfile-machine are always set).',
      },
      ssh_sources: { ...cidrs, description: 'Addresses the firewall lets reach SSH (default 0.0.0.0/0 and ::/0).' },
      engine_sources: { ...cidrs, description: 'Addresses the firewall lets reach the Docker API port (default 0.0.0.0/0 and ::/0; the plan flags a world-open port).' },
      user_data: { type: 'string', description: 'cloud-init user data (default: a cloud-config that turns off password logins).' },
      api_url: { type: 'string', pattern: '^https?://', description: 'API endpoint (default $HCLOUD_ENDPOINT or https://api.hetzner.cloud/v1).' },
      token_file: { type: 'string', description: 'File holding the API token (default: the HCLOUD_TOKEN environment variable).' },
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
