// `describe`: what a plugin says it is, checked and turned into DriverTraits. A plugin whose answer does not fit
// (or whose block schema does not compile) is refused with one line saying what is wrong.
import { createRequire } from 'node:module';
import type { Ajv2020 } from 'ajv/dist/2020.js';
import type addFormatsImport from 'ajv-formats';
import type { DriverTraits, LifecycleOperation } from '../../model/driver-traits.js';
import { oneLine, PluginFailure } from './failure.js';
import { PLUGIN_PREFIX } from './protocol.js';

// ajv is loaded when a plugin is first described, not by every run that imports the driver registry: its
// loading cost each command ~0.1 s of CPU, and a run whose machines.yml validator is cached needs no ajv at all.
const require = createRequire(import.meta.url);

export interface Described {
  traits: DriverTraits;
  version: string;
  /** The plugin executable. */
  path: string;
}

const LIFECYCLE: LifecycleOperation[] = ['start', 'stop', 'restart', 'kill'];

const DESCRIBE_SCHEMA = {
  type: 'object',
  required: ['name', 'version', 'traits'],
  properties: {
    name: { type: 'string', pattern: '^[a-z][a-z0-9_-]*$' },
    version: { type: 'string' },
    traits: {
      type: 'object',
      required: ['block', 'blockSchema', 'creates', 'provisioned', 'removesHostedObjects', 'lifecycle'],
      properties: {
        block: { type: ['string', 'null'], pattern: '^[a-z][a-z0-9_]*$' },
        blockSchema: { type: ['object', 'null'] },
        blockRequired: { type: 'boolean' },
        creates: { type: 'boolean' },
        recordOnly: { type: 'boolean' },
        provisioned: { type: 'boolean' },
        removesHostedObjects: { type: 'boolean' },
        lifecycle: { type: 'array', uniqueItems: true, items: { enum: LIFECYCLE } },
        lifecycleRefusal: { type: ['string', 'null'] },
        addressKeys: { type: 'array', items: { type: 'string' } },
        secretKeys: { type: 'array', items: { type: 'string' } },
      },
    },
  },
} as const;

function ajv(): InstanceType<typeof Ajv2020> {
  const { Ajv2020: Ajv } = require('ajv/dist/2020.js') as { Ajv2020: typeof Ajv2020 };
  // NodeNext sees the CommonJS default export as a namespace (ajv-formats #28).
  const addFormats = require('ajv-formats') as typeof addFormatsImport.default;
  const a = new Ajv({ allErrors: true, allowUnionTypes: true, strictTuples: false });
  a.addKeyword({ keyword: 'patternErrorMessage', schemaType: 'string' });
  addFormats(a, ['ipv4', 'ipv6', 'hostname', 'uri', 'email']);
  return a;
}

let checkShape: ReturnType<ReturnType<typeof ajv>['compile']> | undefined;

/** Compiles a plugin's block schema; throws with ajv's reason when it does not compile. */
export function compileBlockSchema(schema: Record<string, unknown>): void {
  ajv().compile(schema);
}

/** The describe answer as DriverTraits; `name` is the driver name the plugin was found under. */
export function toTraits(path: string, name: string, answer: unknown): Described {
  const fail = (why: string): never => {
    throw new PluginFailure(path, 'describe', `: ${oneLine(why)}`);
  };
  checkShape ??= ajv().compile(DESCRIBE_SCHEMA);
  if (!checkShape(answer)) {
    const e = checkShape.errors?.[0];
    fail(`answer ${e?.instancePath || '(top)'} ${e?.message ?? 'is not valid'}`);
  }
  const a = answer as { name: string; version: string; traits: Record<string, unknown> };
  if (a.name !== name) fail(`names itself "${a.name}" but is installed as ${PLUGIN_PREFIX}${name}`);
  const t = a.traits;
  const blockSchema = (t.blockSchema as Record<string, unknown> | null) ?? null;
  if (t.block !== null && blockSchema === null) fail('traits.block is set but traits.blockSchema is null');
  if (blockSchema) {
    try {
      compileBlockSchema(blockSchema);
    } catch (err) {
      fail(`traits.blockSchema does not compile: ${(err as Error).message}`);
    }
  }
  const traits: DriverTraits = {
    name,
    kind: 'plugin',
    block: (t.block as string | null) ?? null,
    blockSchema,
    blockRequired: t.blockRequired === true,
    creates: t.creates as boolean,
    recordOnly: t.recordOnly === true,
    provisioned: t.provisioned as boolean,
    removesHostedObjects: t.removesHostedObjects as boolean,
    lifecycle: t.lifecycle as LifecycleOperation[],
    // A plugin's block is its own: config fills in no SSH defaults.
    sshBlock: false,
    addressKeys: (t.addressKeys as string[] | undefined) ?? [],
    secretKeys: (t.secretKeys as string[] | undefined) ?? [],
  };
  if (typeof t.lifecycleRefusal === 'string') traits.lifecycleRefusal = t.lifecycleRefusal;
  return { traits, version: a.version, path };
}
