// Driver `qemu` as data: a local virtual machine from a cloud disk image, booted with a NoCloud seed,
// provisioned over SSH like any server; removing it removes its disk overlay with everything on it.
import type { DriverTraits } from '../../model/index.js';

const size = { type: ['string', 'integer'], pattern: '^[0-9]+[kKmMgGtT]?$', patternErrorMessage: 'must be a size like 512m or 20g' };

/** The network key as a condition requires it, with the hover text an editor shows there too. */
function networkWhen(kind: 'user' | 'bridge', when: string, example: string): Record<string, unknown> {
  const description = `network must be ${kind} when ${when}.`;
  return {
    const: kind,
    patternErrorMessage: `must be ${kind} when ${when}`,
    description,
    markdownDescription: `${description}\n\n\`\`\`yaml\nqemu:\n  network: ${kind}\n  ${example}\n\`\`\``,
  };
}

export const qemuTraits: DriverTraits = {
  name: 'qemu',
  kind: 'builtin',
  block: 'qemu',
  blockSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['image'],
    description: 'Options of driver qemu: a virtual machine on this computer, booted from a cloud image with cloud-init.',
    properties: {
      image: { type: 'string', minLength: 1, description: 'The base disk image (qcow2 or raw, with cloud-init): an http(s) URL, downloaded once into the per-user cache, or a path.' },
      checksum: {
        type: 'string',
        pattern: '^(sha256:[0-9a-fA-F]{64}|sha512:[0-9a-fA-F]{128})$',
        patternErrorMessage: 'must be sha256:<64 hex digits> or sha512:<128 hex digits>',
        description: 'Checksum of the image, sha256:HEX or sha512:HEX (required for a URL).',
      },
      cpus: { type: 'integer', minimum: 1, maximum: 64, description: 'Virtual CPUs (default 2).' },
      memory: { ...size, description: 'Memory, e.g. 2g (default 2g; a bare number is MiB).' },
      disk_size: { ...size, description: 'Size of the machine\'s disk, e.g. 20g (default 20g; a bare number is GiB); at least the image\'s size.' },
      network: {
        type: 'string',
        enum: ['user', 'bridge'],
        description: 'user (default): SSH, the engine and `forward` ports on 127.0.0.1 ports of this computer. bridge: an address on a bridge mfile makes on this computer (as sandbox machines have), where every port of the machine is reachable.',
      },
      subnet: { type: 'string', pattern: '^[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}\\.0/24$', patternErrorMessage: 'must be a /24 like 10.213.0.0/24', description: 'network: bridge: the /24 of the bridge; its .1 is this computer (default 10.213.0.0/24, shared with sandbox machines).' },
      ip: { type: 'string', format: 'ipv4', description: 'network: bridge: the machine\'s address in subnet, .2 to .254 (default: a free one).' },
      forward: {
        type: 'array',
        items: { type: 'string', pattern: '^[0-9]{1,5}:[0-9]{1,5}$', patternErrorMessage: 'must be HOST_PORT:GUEST_PORT' },
        description: 'More TCP ports forwarded from 127.0.0.1:HOST_PORT to the machine\'s GUEST_PORT (e.g. a container\'s published port).',
      },
      accel: { type: 'string', enum: ['auto', 'kvm', 'tcg'], description: 'auto (default): KVM where a short probe shows KVM guests run, else TCG (emulation, much slower).' },
    },
    // Keys of one network kind given with the other: named at the network key, with the reason.
    allOf: [
      {
        if: { type: 'object', properties: { forward: true }, required: ['forward'] },
        then: { type: 'object', properties: { network: networkWhen('user', 'forward is given (on a bridge every port of the machine is reachable at its address)', 'forward: ["8080:80"]') } },
      },
      {
        if: { type: 'object', anyOf: [{ properties: { subnet: true }, required: ['subnet'] }, { properties: { ip: true }, required: ['ip'] }] },
        then: { type: 'object', properties: { network: networkWhen('bridge', 'subnet or ip is given', 'ip: 10.213.0.20') }, required: ['network'] },
      },
    ],
  },
  blockRequired: true,
  creates: true,
  recordOnly: false,
  provisioned: true,
  removesHostedObjects: true,
  lifecycle: ['start', 'stop', 'restart', 'kill'],
  sshBlock: false,
  addressKeys: ['subnet', 'ip'],
  secretKeys: [],
  // The accelerator (accel: auto probes KVM): found at refresh, shown in the plan, used by create.
  createChoices: true,
};
