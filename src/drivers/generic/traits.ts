// Driver `generic` as data: adopts an existing server over SSH and provisions it; removing it leaves the
// server (and so its containers are removed one by one).
import type { DriverTraits } from '../../model/index.js';

const sshName = {
  type: 'string',
  pattern: '^[^-]',
  patternErrorMessage: "must not be empty or start with '-' (ssh would read it as an option)",
};
const tcpPort = { type: 'integer', minimum: 1, maximum: 65535 };

export const genericTraits: DriverTraits = {
  name: 'generic',
  kind: 'builtin',
  block: 'generic',
  blockSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['host'],
    description: 'Options of driver generic: an existing Linux server reached over SSH.',
    properties: {
      host: { ...sshName, description: 'Host name or IP address of the server mfile reaches over SSH.' },
      port: { ...tcpPort, description: 'SSH port (default 22).' },
      user: { ...sshName, description: 'SSH user (default root).' },
      identity_file: { type: 'string', description: 'Private key file (default: the SSH agent).' },
      sudo: { type: 'boolean', description: 'Run provisioning commands (installing Docker, writing its config) with sudo (default: true unless the user is root).' },
      jump: {
        type: 'object',
        additionalProperties: false,
        required: ['host'],
        description: 'A bastion host to connect through.',
        properties: {
          host: { ...sshName, description: 'Jump host name or IP address.' },
          port: { ...tcpPort, description: 'Jump host SSH port (default 22).' },
          user: { ...sshName, description: 'SSH user on the jump host (default root).' },
          identity_file: { type: 'string', description: 'Private key file for the jump host (default: the SSH agent).' },
        },
      },
    },
  },
  blockRequired: true,
  creates: false,
  recordOnly: false,
  provisioned: true,
  removesHostedObjects: false,
  // On an existing server these act on its Docker service, never on the server itself.
  lifecycle: ['start', 'stop', 'restart', 'kill'],
  sshBlock: true,
  addressKeys: ['host', 'port', 'user', 'identity_file', 'sudo', 'jump'],
  secretKeys: [],
};
