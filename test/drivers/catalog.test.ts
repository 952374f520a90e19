// The built-in drivers declare themselves as data, and the machines.yml schema is assembled from the base file
// and every catalog driver's block.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { builtinCatalog } from '../../src/drivers/catalog.js';
import { machinesSchema } from '../../src/config/index.js';
import type { DriverTraits } from '../../src/model/index.js';

type Schema = Record<string, unknown>;

describe('built-in driver catalog', () => {
  it('has one entry per driver folder, each named as its folder and key', () => {
    const dir = join(import.meta.dirname, '../../src/drivers');
    // Adapters run external drivers, whose traits come from the driver itself; cloud/ holds what the cloud drivers share.
    const adapters = new Set(['plugin', 'docker-machine', 'cloud']);
    const folders = readdirSync(dir).filter((f) => statSync(join(dir, f)).isDirectory() && !adapters.has(f));
    const catalog = builtinCatalog();
    expect([...catalog.keys()].sort()).toEqual(folders.sort());
    for (const [key, t] of catalog) expect(t.name).toBe(key);
  });

  it('gives each caller its own map, so plugins can be added without touching the next run', () => {
    const a = builtinCatalog();
    a.set('extra', { ...a.get('local')!, name: 'extra' });
    expect(builtinCatalog().has('extra')).toBe(false);
  });
});

describe('machinesSchema', () => {
  const catalog = builtinCatalog();
  const schema = machinesSchema(catalog);
  const machine = (schema.$defs as Record<string, Schema>).machine;
  const props = machine.properties as Record<string, Schema>;

  it('is a valid draft 2020-12 schema', () => {
    expect(new Ajv2020({ strict: false }).validateSchema(schema)).toBe(true);
  });

  it("limits driver to the catalog's names and adds every driver's block, described", () => {
    expect(props.driver.enum).toEqual([...catalog.keys()]);
    for (const t of catalog.values()) {
      expect(props[t.block!]).toMatchObject(t.blockSchema!); // with the editor's hover text added
      expect(String(props[t.block!].description)).toContain(t.name);
    }
  });

  it('requires the block of drivers that need one', () => {
    const required = ((machine.allOf as Schema[]) ?? []).map((r) => [
      ((r.if as Schema).properties as Record<string, Schema>).driver.const,
      ((r.then as Schema).required as string[])[0],
    ]);
    const need = [...catalog.values()].filter((t) => t.blockRequired).map((t) => [t.name, t.block]);
    expect(required).toEqual(need);
    expect(need.map(([n]) => n).sort()).toEqual(['generic', 'none', 'qemu']);
  });

  it("includes a plugin driver's block when the catalog has one", () => {
    const plugin: DriverTraits = {
      ...catalog.get('generic')!,
      name: 'cloudy',
      kind: 'plugin',
      block: 'cloudy',
      blockSchema: { type: 'object', description: 'Options of driver cloudy.', properties: { region: { type: 'string', description: 'Region.' } } },
      blockRequired: false,
    };
    const withPlugin = new Map(catalog).set('cloudy', plugin);
    const p = ((machinesSchema(withPlugin).$defs as Record<string, Schema>).machine.properties as Record<string, Schema>);
    expect(p.cloudy).toMatchObject(plugin.blockSchema!);
    expect(p.driver.enum).toContain('cloudy');
    // The base is not changed by assembling.
    expect(props.cloudy).toBeUndefined();
  });

  it("leaves the catalog's block schemas as they were (a changed one would change the validator's key)", () => {
    const fresh = builtinCatalog();
    const before = JSON.stringify([...fresh.values()].map((d) => d.blockSchema));
    machinesSchema(fresh);
    expect(JSON.stringify([...fresh.values()].map((d) => d.blockSchema))).toBe(before);
  });
});
