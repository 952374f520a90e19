// The generic driver's SSH address, also when its options come back from a state file (a machine being
// destroyed) and so never passed the schema: a host or user that ssh would read as an option is refused.
import { describe, expect, it } from 'vitest';
import { genericAddress } from '../../src/drivers/generic/options.js';
import type { MachineSpec } from '../../src/model/index.js';
import { engineSpec } from '../helpers/sandbox.js';
import { genericTraits } from '../../src/drivers/generic/traits.js';

const spec = (driverOptions: Record<string, unknown>): MachineSpec => ({
  name: 'g',
  driver: 'generic',
  driverOptions,
  traits: genericTraits,
  engine: engineSpec(),
  tls: { enabled: true, san: [] },
});

describe('genericAddress', () => {
  it('refuses a host, user, jump host or jump user starting with -', () => {
    expect(() => genericAddress(spec({ host: '-oProxyCommand=id' }))).toThrow("g: generic.host must not start with '-'");
    expect(() => genericAddress(spec({ host: 'h', user: '-oX' }))).toThrow("g: generic.user must not start with '-'");
    expect(() => genericAddress(spec({ host: 'h', jump: { host: '-J' } }))).toThrow("g: generic.jump.host must not start with '-'");
    expect(() => genericAddress(spec({ host: 'h', jump: { host: 'b', user: '-l' } }))).toThrow("g: generic.jump.user must not start with '-'");
  });

  it('takes ordinary names', () => {
    expect(genericAddress(spec({ host: 'h-1', user: 'deploy-1' }))).toMatchObject({ host: 'h-1', user: 'deploy-1', port: 22 });
  });
});
