// The shipped example is valid, and the schema itself is a valid 2020-12 schema that editors can use.
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { SCHEMA_PATH, loadConfig } from '../../src/config/index.js';
import { builtinCatalog } from '../../src/drivers/catalog.js';

const example = new URL('../../examples/machines.yml', import.meta.url).pathname;

describe('examples/machines.yml', () => {
  it('points editors at the schema on its first line', () => {
    expect(readFileSync(example, 'utf8').split('\n')[0]).toBe('# yaml-language-server: $schema=../schema/machines.schema.json');
  });

  it('validates and normalises', async () => {
    const d = await loadConfig({ file: example, env: {} }, builtinCatalog());
    expect(Object.keys(d.machines).sort()).toEqual(['db', 'web-1', 'web-2']);
    expect(Object.keys(d.containers).sort()).toEqual(['api', 'db', 'proxy', 'redis', 'web', 'worker-1', 'worker-2']);
    expect(d.sensitiveValues).toEqual(['change-me']);
    expect(d.machines['web-1'].driverOptions).toMatchObject({ host: '10.0.0.11', port: 22, user: 'deploy', sudo: true });
    expect(d.containers.api).toMatchObject({ cpus: 0.5, mem_limit: 256 * 1024 ** 2, pids_limit: 200, restart: 'on-failure:5' });
    expect(d.containers.db.healthcheck?.test).toEqual(['CMD-SHELL', 'pg_isready -U ${POSTGRES_USER}']);
  });
});

describe('schema/machines.schema.json', () => {
  const schema = JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')) as Record<string, unknown>;

  it('is a draft 2020-12 schema with an $id', () => {
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.$id).toMatch(/^https:\/\//);
    const ajv = new Ajv2020({ strict: false });
    expect(ajv.validateSchema(schema)).toBe(true);
  });

  it('describes every key of every object for editors', () => {
    const undescribed: string[] = [];
    const walk = (node: unknown, at: string): void => {
      if (Array.isArray(node)) return node.forEach((n, i) => walk(n, `${at}[${i}]`));
      if (typeof node !== 'object' || node === null) return;
      for (const [k, v] of Object.entries(node)) {
        // An `if` only tests a key declared (and described) elsewhere.
        if (k === 'if') continue;
        if (k === 'properties') {
          for (const [key, sub] of Object.entries(v as Record<string, { description?: string }>)) {
            if (!sub.description?.trim()) undescribed.push(`${at}.${key}`);
          }
        }
        walk(v, `${at}.${k}`);
      }
    };
    walk(schema, '#');
    expect(undescribed).toEqual([]);
    // The walk reaches the machine, engine and container keys themselves.
    const defs = schema.$defs as Record<string, { properties: Record<string, { description?: string }> }>;
    expect(Object.keys(defs.container.properties).length).toBeGreaterThan(50);
    expect(defs.machine.properties.engine.description).toBeTruthy();
    expect(defs.container.properties.mem_limit.description).toBeTruthy();
  });
});
