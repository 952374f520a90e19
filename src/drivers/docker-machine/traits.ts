// What a Docker Machine driver is, as mfile's traits: made from its create flags (GetCreateFlags), so the
// machine's `docker-machine:` block is checked like any driver block (FILE:LINE:COL, did-you-mean) before the
// plugin sees it.
import type { DriverTraits } from '../../model/driver-traits.js';
import { DOCKER_MACHINE_BLOCK, DOCKER_MACHINE_DRIVER_PREFIX, dockerMachineBinaryName } from '../../model/docker-machine-names.js';
import type { DockerMachineFlag } from './flags.js';

export { DOCKER_MACHINE_BLOCK };

/**
 * Flags whose values are credentials, by Docker Machine's naming habits (digitalocean-access-token,
 * amazonec2-secret-key, vmwarevsphere-password, azure-client-secret, exoscale-api-key): they must come from a
 * sensitive variable, so no plan, state or log holds them.
 */
const SECRET = /(token|secret|password|passwd|passphrase)|(access|api)-key$/;

export function isSecretFlag(name: string): boolean {
  return SECRET.test(name);
}

/**
 * Flags that make the SSH endpoint the driver reports (generic-ip-address, generic-ssh-user, amazonec2-ssh-port,
 * amazonec2-ssh-keypath): that endpoint is kept in the state, so config refuses a sensitive value in them.
 */
const ADDRESS = /-(ip-address|ip|hostname|ssh-user|ssh-username|ssh-port|ssh-key|ssh-keypath|ssh-key-path)$/;

export function isAddressFlag(name: string): boolean {
  return ADDRESS.test(name);
}

function flagSchema(f: DockerMachineFlag): Record<string, unknown> {
  const env = f.envVar ? ` Unset: $${f.envVar} when set, else the default.` : '';
  const dflt = Array.isArray(f.default) ? f.default.join(',') : String(f.default);
  const description = `${f.usage || f.name} (default: ${dflt === '' ? 'none' : dflt}).${env}`;
  switch (f.kind) {
    case 'string':
      return { type: 'string', description };
    case 'int':
      return { type: 'integer', description };
    case 'bool':
      return { type: 'boolean', description };
    case 'string-slice':
      return { type: ['array', 'string'], items: { type: 'string' }, description };
  }
}

/** The block's JSON Schema: exactly the driver's flags, each of its type. */
export function flagsSchema(name: string, flags: readonly DockerMachineFlag[]): Record<string, unknown> {
  return {
    type: 'object',
    description: `Flags of Docker Machine's ${name} driver (${dockerMachineBinaryName(name)}), by name.`,
    additionalProperties: false,
    properties: Object.fromEntries(flags.map((f) => [f.name, flagSchema(f)])),
  };
}

/**
 * Traits of `docker-machine:NAME`. `flags` null: the driver was not asked (a machine only the state names, being
 * destroyed), so the block is taken as it is.
 */
export function dockerMachineTraits(name: string, flags: readonly DockerMachineFlag[] | null): DriverTraits {
  return {
    name: DOCKER_MACHINE_DRIVER_PREFIX + name,
    kind: 'docker-machine',
    block: DOCKER_MACHINE_BLOCK,
    blockSchema: flags ? flagsSchema(name, flags) : { type: 'object' },
    blockRequired: false,
    creates: true,
    recordOnly: false,
    // mfile provisions Docker itself over the SSH endpoint the driver reports, with its own mutual TLS.
    provisioned: true,
    // Whether Remove takes the host depends on the driver (a cloud VM goes, a generic server stays): assume not.
    removesHostedObjects: false,
    lifecycle: ['start', 'stop', 'restart', 'kill'],
    sshBlock: false,
    addressKeys: (flags ?? []).map((f) => f.name).filter(isAddressFlag),
    secretKeys: (flags ?? []).map((f) => f.name).filter(isSecretFlag),
  };
}
