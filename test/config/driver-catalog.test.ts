// loadConfig takes the run's driver catalog: a plugin driver in it is a driver like any other, and its block is
// checked against the schema it declares.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { builtinCatalog } from '../../src/drivers/catalog.js';
import { ConfigError } from '../../src/errors.js';
import type { DriverTraits } from '../../src/model/index.js';
import { project } from './helpers.js';

const cloudy: DriverTraits = {
  name: 'cloudy',
  kind: 'plugin',
  block: 'cloudy',
  blockSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['region'],
    description: 'Options of driver cloudy.',
    properties: { region: { type: 'string', description: 'Region.' }, size: { type: 'integer', description: 'Size.' } },
  },
  blockRequired: true,
  creates: true,
  recordOnly: false,
  provisioned: true,
  removesHostedObjects: true,
  lifecycle: ['start', 'stop'],
  sshBlock: false,
  addressKeys: [],
  secretKeys: [],
};

async function loadWith(yaml: string): Promise<{ lines: string[]; machines?: Record<string, { traits: DriverTraits; driverOptions: object }> }> {
  const dir = project({ 'machines.yml': yaml });
  const catalog = builtinCatalog().set('cloudy', cloudy);
  try {
    const d = await loadConfig({ file: join(dir, 'machines.yml'), env: {} }, catalog);
    return { lines: [], machines: d.machines };
  } catch (err) {
    if (err instanceof ConfigError) return { lines: err.message.split('\n').map((l) => l.replace(dir + '/', '')) };
    throw err;
  }
}

describe('a plugin driver in the catalog', () => {
  it('is accepted, and the machine carries its traits and block', async () => {
    const r = await loadWith('version: 1\nmachines:\n  c1:\n    driver: cloudy\n    cloudy: { region: eu-1 }\n');
    expect(r.lines).toEqual([]);
    expect(r.machines!.c1.traits).toBe(cloudy);
    expect(r.machines!.c1.driverOptions).toEqual({ region: 'eu-1' });
  });

  it('has its block checked against its schema, with positions', async () => {
    const r = await loadWith('version: 1\nmachines:\n  c1:\n    driver: cloudy\n    cloudy: { region: eu-1, size: big, zone: a }\n  c2:\n    driver: cloudy\n');
    expect(r.lines).toEqual([
      'machines.yml:5:35: machines.c1.cloudy.size: must be an integer',
      "machines.yml:5:40: unknown key 'zone' in machines.c1.cloudy",
      "machines.yml:6:3: missing required key 'cloudy' in machines.c2 (driver cloudy needs cloudy: {region: ...})",
    ]);
  });

  it('is listed among the known drivers when a name is misspelt', async () => {
    const r = await loadWith('version: 1\nmachines:\n  c1:\n    driver: cloudie\n');
    expect(r.lines).toEqual([
      "machines.yml:4:13: machines.c1.driver: unknown driver 'cloudie' (known drivers: amazonec2, cloudy, digitalocean, generic, hetzner, local, none, qemu, sandbox) (did you mean 'cloudy'?)",
    ]);
  });
});
