// The schema `mfile schema` prints, as an editor and a strict validator read it.
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsImport from 'ajv-formats';
import { beforeAll, describe, expect, it } from 'vitest';
import { unsupportedReason } from '../../src/config/unsupported.js';
import { ensureBuilt, mfile } from '../helpers/cli.js';

const addFormats = addFormatsImport as unknown as typeof addFormatsImport.default;
type Schema = Record<string, unknown>;

/** Every key of every `properties` map in the schema, with its JSON path. */
function keys(s: unknown, at = '#', out: [string, Schema][] = []): [string, Schema][] {
  if (Array.isArray(s)) s.forEach((x, i) => keys(x, `${at}/${i}`, out));
  else if (s && typeof s === 'object') {
    for (const [k, v] of Object.entries(s as Schema)) {
      if (k === 'if') continue; // conditions, not keys a user writes
      if (k === 'properties' && v && typeof v === 'object')
        for (const [name, p] of Object.entries(v as Schema)) if (typeof p === 'object') out.push([`${at}/properties/${name}`, p as Schema]);
      keys(v, `${at}/${k}`, out);
    }
  }
  return out;
}

describe('mfile schema, for editors', () => {
  let schema: Schema;
  beforeAll(() => {
    ensureBuilt();
    const r = mfile(['schema']);
    expect(r.code, r.stderr).toBe(0);
    schema = JSON.parse(r.stdout) as Schema;
  });

  it('compiles in ajv strict mode with only the editor annotations declared', () => {
    const ajv = new Ajv2020({
      strict: true,
      allowUnionTypes: true, // `type: [string, integer]` as in Compose's own schema
      keywords: ['markdownDescription', 'patternErrorMessage', 'deprecationMessage'],
    });
    addFormats(ajv, ['ipv4', 'ipv6']);
    expect(() => ajv.compile(schema)).not.toThrow();
  });

  it('gives every key hover text: a description and markdown with a YAML example', () => {
    const missing = keys(schema)
      .filter(([, s]) => typeof s.description !== 'string' || !/```yaml\n[\s\S]+\n```/.test(String(s.markdownDescription ?? '')))
      .filter(([, s]) => s.not === undefined) // refused keys: checked below
      .map(([at]) => at);
    expect(missing).toEqual([]);
    const c = (schema.$defs as Record<string, Schema>).container.properties as Record<string, Schema>;
    expect(c.mem_limit.markdownDescription).toContain('containers:\n  web:\n    mem_limit: 512m');
  });

  it('lists the restart policies as values an editor completes', () => {
    const restart = ((schema.$defs as Record<string, Schema>).container.properties as Record<string, Schema>).restart;
    expect(restart.anyOf).toContainEqual({ enum: ['no', 'always', 'on-failure', 'unless-stopped'] });
  });

  it('carries the reason of each refused Compose key, the same words mfile prints', () => {
    const c = (schema.$defs as Record<string, Schema>).container.properties as Record<string, Schema>;
    expect(c.profiles).toMatchObject({ not: {}, deprecationMessage: `profiles: not supported: ${unsupportedReason(['containers', 'web'], 'profiles')}` });
    const top = schema.properties as Record<string, Schema>;
    // Top-level services are Swarm services now: described, not refused.
    expect(top.services.deprecationMessage).toBeUndefined();
    expect(top.services.description).toBeTruthy();
    const deploy = (schema.$defs as Record<string, Schema>).deploy.properties as Record<string, Schema>;
    expect(deploy.placement.description).toContain(String(unsupportedReason(['containers', 'web', 'deploy'], 'placement')));
  });
});
