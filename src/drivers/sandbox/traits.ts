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
    description: 'Options of driver sandbox: a throwaway Linux host in a network namespace on this box, for trying a file out.',
    properties: {
      subnet: { type: 'string', description: "The /24 of the link between this box and the sandbox host (default 10.213.0.0/24)." },
      ip: { type: 'string', format: 'ipv4', description: 'Address of the sandbox host inside subnet, .2 to .254 (default: a free address, tried first at one derived from the machine name).' },
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
