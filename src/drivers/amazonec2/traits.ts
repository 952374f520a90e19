// Driver `amazonec2` as data: makes an EC2 instance (with its own key pair and security group), provisioned over
// SSH like generic; removing it terminates the instance and everything on it.
import type { DriverTraits } from '../../model/index.js';

const cidrList = { type: 'array', items: { type: 'string', pattern: '^[0-9a-fA-F:.]+/[0-9]{1,3}$' }, minItems: 1 };

export const amazonec2Traits: DriverTraits = {
  name: 'amazonec2',
  kind: 'builtin',
  block: 'amazonec2',
  blockSchema: {
    type: 'object',
    additionalProperties: false,
    description:
      'Options of driver amazonec2: an Amazon EC2 instance. Credentials come from the AWS chain (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_PROFILE), never from this block.',
    properties: {
      region: { type: 'string', pattern: '^[a-z0-9-]+$', description: 'Region (default: AWS_REGION, AWS_DEFAULT_REGION, else us-east-1).' },
      instance_type: { type: 'string', pattern: '^[a-z0-9-]+\\.[a-z0-9-]+$', description: 'Instance type (default t3.small).' },
      ami: { type: 'string', pattern: '^ami-[0-9a-f]+$', description: "AMI id (default: the newest Debian 12 amd64 image of Debian's account in the region)." },
      subnet_id: { type: 'string', pattern: '^subnet-[0-9a-f]+$', description: "Subnet (default: the default VPC's subnet EC2 picks)." },
      security_groups: { type: 'array', items: { type: 'string', pattern: '^sg-[0-9a-f]+$' }, description: "Existing security groups to attach besides the machine's own." },
      ssh_sources: { ...cidrList, description: 'CIDR blocks allowed to reach SSH (port 22) (default ["0.0.0.0/0", "::/0"]).' },
      engine_sources: { ...cidrList, description: 'CIDR blocks allowed to reach the engine port (default ["0.0.0.0/0", "::/0"], protected by mutual TLS only; the plan flags it).' },
      root_size: { type: 'integer', minimum: 8, maximum: 16384, description: 'Root volume size in GiB (default 16, gp3).' },
      tags: { type: 'object', additionalProperties: { type: 'string' }, description: 'Extra tags on the instance, its volume, key pair and security group.' },
      ssh_user: { type: 'string', pattern: '^[a-z_][a-z0-9_-]*$', description: 'SSH user of the AMI (default admin, as on Debian images; ubuntu on Ubuntu).' },
      api_url: { type: 'string', pattern: '^https?://', description: 'EC2 endpoint (default: AWS_ENDPOINT_URL_EC2, else the region\'s).' },
      wait_timeout: { type: 'integer', minimum: 1, maximum: 3600, description: 'Seconds to wait for the instance to be running with a public address, or gone (default 300).' },
    },
  },
  blockRequired: false,
  creates: true,
  recordOnly: false,
  provisioned: true,
  removesHostedObjects: true,
  lifecycle: ['start', 'stop', 'restart', 'kill'],
  sshBlock: false,
  engineSourcesKey: 'engine_sources',
  addressKeys: [],
  secretKeys: [],
};
