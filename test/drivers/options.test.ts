import { describe, expect, it } from 'vitest';
import { genericAddress } from '../../src/drivers/generic/options.js';
import { sandboxNames, sandboxOptions } from '../../src/drivers/sandbox/options.js';
import type { MachineSpec } from '../../src/model/index.js';
import { sandboxSpec } from '../helpers/sandbox.js';

const generic = (o: Record<string, unknown>): MachineSpec => ({ ...sandboxSpec('g1'), driver: 'generic', driverOptions: o });

describe('driver options', () => {
  it('generic: defaults, sudo for non-root users, jump host', () => {
    expect(genericAddress(generic({ host: '192.0.2.10', identity_file: '~/.ssh/id' }))).toEqual({
      host: '192.0.2.10', port: 22, user: 'root', identityFile: '~/.ssh/id', useAgent: false, sudo: false,
    });
    const a = genericAddress(generic({ host: 'h', user: 'deploy', port: 2222, jump: { host: 'bastion', user: 'j' } }));
    expect(a).toMatchObject({ user: 'deploy', port: 2222, sudo: true, useAgent: true, jump: { host: 'bastion', user: 'j', port: 22 } });
    expect(() => genericAddress(generic({}))).toThrow('g1: generic.host is required');
  });

  it('sandbox: a /24 subnet, a fixed address inside it, names within interface limits', () => {
    expect(() => sandboxOptions(sandboxSpec('s1', { driverOptions: { subnet: '10.0.0.0/16' } }))).toThrow(/s1: sandbox.subnet must be a \/24/);
    expect(() => sandboxOptions(sandboxSpec('s1', { driverOptions: { ip: '10.213.1.5' } }))).toThrow(/not a host address/);
    const o = sandboxOptions(sandboxSpec('s1', { driverOptions: { ip: '10.213.0.9' } }));
    expect(o).toEqual({ subnet: '10.213.0.0/24', prefix: '10.213.0', ip: '10.213.0.9' });
    const n = sandboxNames('/p/.mfile', 's1', o);
    expect(n.bridge).toBe('mfbr0ad500');
    expect(n.gateway).toBe('10.213.0.1');
    expect(n.veth.length).toBeLessThanOrEqual(15);
    expect(sandboxNames('/other/.mfile', 's1', o).netns).not.toBe(n.netns); // two projects never share one
  });
});
