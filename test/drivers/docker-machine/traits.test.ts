// A Docker Machine driver's create flags as mfile traits: the block's schema, and which flags are credentials.
import { describe, expect, it } from 'vitest';
import type { DockerMachineFlag } from '../../../src/drivers/docker-machine/flags.js';
import { dockerMachineTraits, isSecretFlag } from '../../../src/drivers/docker-machine/traits.js';

const flag = (kind: DockerMachineFlag['kind'], name: string, dflt: DockerMachineFlag['default'], envVar = ''): DockerMachineFlag => ({ kind, name, usage: `${name} usage`, envVar, default: dflt });

describe('docker-machine:NAME traits', () => {
  it("takes credentials by Docker Machine drivers' flag names, and leaves keys that are not secrets", () => {
    const secret = ['digitalocean-access-token', 'amazonec2-secret-key', 'amazonec2-access-key', 'amazonec2-session-token', 'vmwarevsphere-password', 'azure-client-secret', 'exoscale-api-key', 'exoscale-api-secret-key', 'openstack-password'];
    const plain = ['amazonec2-keypair-name', 'amazonec2-ssh-keypath', 'generic-ssh-key', 'digitalocean-ssh-key-fingerprint', 'google-machine-image', 'generic-ip-address'];
    expect(secret.filter((n) => !isSecretFlag(n))).toEqual([]);
    expect(plain.filter(isSecretFlag)).toEqual([]);
  });

  it('takes the flags that make the SSH endpoint as its address (kept in the state, so never sensitive)', () => {
    const flags = ['generic-ip-address', 'generic-ssh-user', 'generic-ssh-port', 'generic-ssh-key', 'amazonec2-ssh-keypath', 'generic-engine-port', 'digitalocean-size', 'amazonec2-private-address-only'];
    expect(dockerMachineTraits('x', flags.map((n) => flag('string', n, ''))).addressKeys).toEqual(flags.slice(0, 5));
  });

  it("makes the docker-machine block's schema from the flags: one property each, of its type, nothing else", () => {
    const t = dockerMachineTraits('x', [flag('string', 'x-token', '', 'X_TOKEN'), flag('int', 'x-port', 22), flag('bool', 'x-on', false), flag('string-slice', 'x-tags', [])]);
    expect(t).toMatchObject({ name: 'docker-machine:x', kind: 'docker-machine', block: 'docker-machine', provisioned: true, creates: true, secretKeys: ['x-token'] });
    const s = t.blockSchema as { additionalProperties: boolean; properties: Record<string, { type: unknown; description: string }> };
    expect(s.additionalProperties).toBe(false);
    expect(Object.fromEntries(Object.entries(s.properties).map(([k, v]) => [k, v.type]))).toEqual({
      'x-token': 'string',
      'x-port': 'integer',
      'x-on': 'boolean',
      'x-tags': ['array', 'string'],
    });
    expect(s.properties['x-token'].description).toBe('x-token usage (default: none). Unset: $X_TOKEN when set, else the default.');
  });
});
