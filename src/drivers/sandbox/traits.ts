// Driver `sandbox` as data: makes a namespace host on this box, provisions it over SSH, and its removal takes
// everything on it.
import type { DriverTraits } from '../../model/index.js';

export const sandboxTraits: DriverTraits = {
  name: 'sandbox',
  kind: 'builtin',
  block: 'sandbox',
  blockSchema: {
    type: 'object',
    additionalProperties: false,
    description: 'Options of driver sandbox.',
    properties: {
      subnet: { type: 'string', description: "Subnet (CIDR) of the sandbox's link." },
      ip: { type: 'string', format: 'ipv4', description: 'Address of the sandbox host.' },
    },
  },
  blockRequired: false,
  creates: true,
  recordOnly: false,
  provisioned: true,
  removesHostedObjects: true,
  lifecycle: ['start', 'stop', 'restart', 'kill'],
  sshBlock: false,
  addressKeys: ['subnet', 'ip'],
  secretKeys: [],
};
