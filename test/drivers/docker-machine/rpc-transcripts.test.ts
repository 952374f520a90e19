// net/rpc over gob against transcripts of a real Docker Machine 0.16.2 plugin talking to Go's own rpc client
// (test/fixtures/docker-machine-gob/*.c2s, *.s2c; scripts/gen-docker-machine-gob-fixtures.sh): mfile's requests
// are byte for byte what Go's client sent, and the plugin's answers decode to what it meant.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { flagsFromReply, rpcFlagsArgument } from '../../../src/drivers/docker-machine/flags.js';
import { GobInterface, gobBytes } from '../../../src/drivers/docker-machine/gob/index.js';
import { stateName } from '../../../src/drivers/docker-machine/machine-state.js';
import { emptyStruct } from '../../../src/drivers/docker-machine/protocol-types.js';
import type { RpcResponse } from '../../../src/drivers/docker-machine/rpc-codec.js';
import { RpcClientCodec } from '../../../src/drivers/docker-machine/rpc-codec.js';

const FIXTURES = join(import.meta.dirname, '../../fixtures/docker-machine-gob');
const read = (name: string): Buffer => readFileSync(join(FIXTURES, name));

function responses(bytes: Buffer, chunk = bytes.length): RpcResponse[] {
  const codec = new RpcClientCodec();
  const out: RpcResponse[] = [];
  for (let i = 0; i < bytes.length; i += chunk) {
    codec.push(bytes.subarray(i, i + chunk));
    for (let r = codec.next(); r; r = codec.next()) out.push(r);
  }
  return out;
}

const S = 'RPCServerDriver.';

describe('net/rpc client codec against a Docker Machine plugin transcript (none driver)', () => {
  it("writes the same request bytes as Go's rpc client for the same calls", () => {
    const codec = new RpcClientCodec();
    const config = Buffer.from('{"MachineName":"fx","StorePath":"/tmp/fx-store"}');
    const flags = rpcFlagsArgument(new Map([['url', 'tcp://10.213.90.9:2376']]));
    const calls: [string, Buffer][] = [
      ['GetVersion', codec.request(0, `${S}GetVersion`, emptyStruct, {})],
      ['SetConfigRaw', codec.request(1, `${S}SetConfigRaw`, gobBytes, new Uint8Array(config))],
      ['GetMachineName', codec.request(2, `${S}GetMachineName`, emptyStruct, {})],
      ['DriverName', codec.request(3, `${S}DriverName`, emptyStruct, {})],
      ['GetCreateFlags', codec.request(4, `${S}GetCreateFlags`, emptyStruct, {})],
      ['SetConfigFromFlags', codec.request(5, `${S}SetConfigFromFlags`, flags.type, flags.value)],
    ];
    for (const [i, m] of ['GetConfigRaw', 'GetState', 'GetURL', 'GetSSHPort', 'Start', 'Heartbeat', 'NoSuchMethod'].entries()) {
      calls.push([m, codec.request(6 + i, `${S}${m}`, emptyStruct, {})]);
    }
    expect(Buffer.concat(calls.map(([, b]) => b)).toString('hex')).toBe(read('none.c2s').toString('hex'));
  });

  it("decodes the plugin's answers, in one piece or a byte at a time", () => {
    for (const chunk of [Infinity, 1]) {
      const got = responses(read('none.s2c'), chunk);
      expect(got.map((r) => [r.seq, r.serviceMethod, r.error])).toEqual([
        [0, `${S}GetVersion`, ''],
        [1, `${S}SetConfigRaw`, ''],
        [2, `${S}GetMachineName`, ''],
        [3, `${S}DriverName`, ''],
        [4, `${S}GetCreateFlags`, ''],
        [5, `${S}SetConfigFromFlags`, ''],
        [6, `${S}GetConfigRaw`, ''],
        [7, `${S}GetState`, ''],
        [8, `${S}GetURL`, ''],
        [9, `${S}GetSSHPort`, ''],
        [10, `${S}Start`, 'hosts without a driver cannot be started'],
        [11, `${S}Heartbeat`, ''],
        [12, `${S}NoSuchMethod`, `rpc: can't find method ${S}NoSuchMethod`],
      ]);
      const body = (seq: number): unknown => got.find((r) => r.seq === seq)?.body;
      expect(body(0)).toBe(1);
      expect(body(1)).toEqual({});
      expect(body(2)).toBe('fx');
      expect(body(3)).toBe('none');
      expect(flagsFromReply(body(4) as GobInterface[])).toEqual([
        { kind: 'string', name: 'url', usage: 'URL of host when no driver is selected', envVar: '', default: '' },
      ]);
      const config = JSON.parse(Buffer.from(body(6) as Uint8Array).toString('utf8')) as Record<string, unknown>;
      expect(config).toMatchObject({ MachineName: 'fx', StorePath: '/tmp/fx-store', URL: 'tcp://10.213.90.9:2376' });
      expect(stateName(body(7) as number)).toBe('Running');
      expect(body(8)).toBe('tcp://10.213.90.9:2376');
      expect(body(9)).toBe(0);
      expect(body(10)).toEqual({});
    }
  });
});

describe('net/rpc client codec against a Docker Machine plugin transcript (amazonec2 driver: every flag type)', () => {
  it('decodes the flag list with names, types and defaults', () => {
    const got = responses(read('amazonec2.s2c'));
    const flags = flagsFromReply(got.find((r) => r.serviceMethod === `${S}GetCreateFlags`)?.body ?? null);
    const byName = new Map(flags.map((f) => [f.name, f]));
    expect(byName.get('amazonec2-region')).toMatchObject({ kind: 'string', envVar: 'AWS_DEFAULT_REGION', default: 'us-east-1' });
    expect(byName.get('amazonec2-root-size')).toMatchObject({ kind: 'int', envVar: 'AWS_ROOT_SIZE', default: 16 });
    expect(byName.get('amazonec2-private-address-only')).toMatchObject({ kind: 'bool', default: false });
    expect(byName.get('amazonec2-security-group')).toMatchObject({ kind: 'string-slice', envVar: 'AWS_SECURITY_GROUP', default: ['docker-machine'] });
    expect(new Set(flags.map((f) => f.kind))).toEqual(new Set(['string', 'int', 'bool', 'string-slice']));
  });
});
