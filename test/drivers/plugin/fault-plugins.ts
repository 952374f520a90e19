// Small plugins written into a temp folder for the runner and adapter tests: a node script that answers the
// handshake and describe like a good plugin and runs a given body for every other method.
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const GOOD_DESCRIBE = {
  name: 'x',
  version: '0.0.1',
  traits: {
    block: 'x',
    blockSchema: { type: 'object', additionalProperties: false, properties: { size: { type: 'integer' } } },
    blockRequired: false,
    creates: true,
    recordOnly: false,
    provisioned: false,
    removesHostedObjects: true,
    lifecycle: ['start', 'stop'],
    addressKeys: [],
    secretKeys: [],
  },
};

export function pluginDir(): string {
  return mkdtempSync(join(tmpdir(), 'mfile-plugins-'));
}

/**
 * Writes DIR/mfile-driver-NAME. `body` is JavaScript run for each request other than handshake and describe,
 * with `msg` (the request), `reply(result)`, `fail(code, message)`, `note(text)` and `write(line)` in scope.
 */
export function writePlugin(dir: string, name: string, body: string, opts: { protocol?: string; describe?: unknown } = {}): string {
  const path = join(dir, `mfile-driver-${name}`);
  const describe = JSON.stringify(opts.describe ?? { ...GOOD_DESCRIBE, name });
  writeFileSync(
    path,
    `#!${process.execPath}
const rl = require('node:readline').createInterface({ input: process.stdin });
const write = (line) => process.stdout.write(line + '\\n');
rl.on('line', (line) => {
  const msg = JSON.parse(line);
  const reply = (result) => write(JSON.stringify({ jsonrpc: '2.0', id: msg.id, result }));
  const fail = (code, message) => write(JSON.stringify({ jsonrpc: '2.0', id: msg.id, error: { code, message } }));
  const note = (text) => write(JSON.stringify({ jsonrpc: '2.0', method: 'progress', params: { text } }));
  if (msg.method === 'handshake') return reply({ protocol: ${JSON.stringify(opts.protocol ?? '1.0')} });
  if (msg.method === 'describe') return reply(${describe});
  ${body}
});
`,
  );
  chmodSync(path, 0o755);
  return path;
}
