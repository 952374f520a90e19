// What a Docker Machine driver binary is, as data. Its flags are known only by asking the binary, so the block
// is an open mapping here; the adapter checks it against the driver's own flag list before create.
import type { DriverTraits } from '../../model/index.js';

/** Traits of `driver: docker-machine:NAME`, whose options (the driver's flags) sit in a `docker-machine:NAME:` block. */
export function dockerMachineTraits(name: string): DriverTraits {
  const driver = `docker-machine:${name}`;
  return {
    name: driver,
    kind: 'docker-machine',
    block: driver,
    blockSchema: { type: 'object', description: `Options of driver ${driver}: flags of docker-machine-driver-${name} by their full names (e.g. ${name}-region).` },
    blockRequired: false,
    creates: true,
    recordOnly: false,
    provisioned: true,
    // Whether Remove takes the host depends on the driver (a cloud VM goes, a generic server stays): assume not.
    removesHostedObjects: false,
    lifecycle: ['start', 'stop', 'restart', 'kill'],
    sshBlock: false,
    addressKeys: [],
    secretKeys: [],
  };
}
