// Driver `local` as data: the engine where mfile runs, recorded, never created or removed.
import type { DriverTraits } from '../../model/index.js';

export const localTraits: DriverTraits = {
  name: 'local',
  kind: 'builtin',
  block: 'local',
  blockSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {},
    description: 'Options of driver local, the Docker engine where mfile runs (none yet: write local: {} or leave it out).',
  },
  blockRequired: false,
  creates: false,
  recordOnly: true,
  provisioned: false,
  removesHostedObjects: false,
  lifecycle: [],
  lifecycleRefusal: 'mfile did not create it; do that where Docker runs',
  sshBlock: false,
  addressKeys: [],
  secretKeys: [],
};
