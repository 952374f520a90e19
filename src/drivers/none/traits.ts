// Driver `none` as data: an existing engine at a URL, recorded, never created, provisioned or removed.
import type { DriverTraits } from '../../model/index.js';

export const noneTraits: DriverTraits = {
  name: 'none',
  kind: 'builtin',
  block: 'none',
  blockSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['url'],
    description: 'Options of driver none: an engine mfile does not provision.',
    properties: {
      url: {
        type: 'string',
        description: 'Docker API address, e.g. tcp://10.0.0.5:2376 or unix:///var/run/docker.sock.',
      },
    },
  },
  blockRequired: true,
  creates: false,
  recordOnly: true,
  provisioned: false,
  removesHostedObjects: false,
  lifecycle: [],
  lifecycleRefusal: 'mfile did not create it; do that where Docker runs',
  sshBlock: false,
  engineUrlKey: 'url',
  addressKeys: ['url'],
  secretKeys: [],
};
