// `mfile driver test` (the built CLI) on small plugins: a good one passes every check; a bad one fails exactly the
// checks it breaks, and the command exits 1.
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, mfile } from '../../helpers/cli.js';
import { pluginDir, writePlugin } from './fault-plugins.js';

const GOOD_BODY = `
  if (msg.method === 'preCreateCheck' || msg.method === 'remove') return reply({});
  if (msg.method === 'status') return reply({ status: 'missing' });
  if (msg.method === 'engineUrl') return fail(-32000, 'machine was never created');
  if (msg.method === 'start' || msg.method === 'stop') return reply({});
  fail(-32601, 'method not found: ' + msg.method);`;

describe('mfile driver test', () => {
  beforeAll(() => ensureBuilt());

  it('a plugin that keeps the protocol passes every check and exits 0', () => {
    const path = writePlugin(pluginDir(), 'x', GOOD_BODY);
    const r = mfile(['driver', 'test', path]);
    expect(r.stdout).not.toContain('FAIL');
    expect(r.stdout).toContain('ok   an unknown method gets the JSON-RPC error -32601 (method not found)');
    expect(r.stdout).toContain('ok   stop answers with the right shape');
    expect(r.stdout).toContain('ok   kill (not declared) is refused with a well-formed error');
    expect(r.stdout.trim().split('\n').pop()).toMatch(/^All \d+ checks passed\.$/);
    expect(r.code).toBe(0);
  });

  it('a plugin with a bad status answer, no method-not-found error and an error without a message fails those checks and exits 1', () => {
    const path = writePlugin(
      pluginDir(),
      'x',
      `if (msg.method === 'preCreateCheck' || msg.method === 'remove' || msg.method === 'stop') return reply({});
       if (msg.method === 'status') return reply({ state: 'up' });
       if (msg.method === 'engineUrl') return reply({ kind: 'tcp', host: 'h', port: 2376 });
       if (msg.method === 'start') return fail(-32000, '');
       reply({});`,
    );
    const r = mfile(['driver', 'test', path]);
    expect(r.code).toBe(1);
    const failed = r.stdout.split('\n').filter((l) => l.startsWith('FAIL'));
    expect(failed).toEqual([
      'FAIL status answers with the right shape: "status" must be one of running, stopped, missing, unknown, error',
      'FAIL start answers or refuses with a well-formed error: error has no message',
      'FAIL restart (not declared) is refused with a well-formed error: it answered as if it were supported',
      'FAIL kill (not declared) is refused with a well-formed error: it answered as if it were supported',
      'FAIL an unknown method gets the JSON-RPC error -32601 (method not found): it answered',
    ]);
    expect(r.stdout).toContain('5 of ');
  });

  it('a plugin that speaks protocol 2.0 fails at the handshake', () => {
    const path = writePlugin(pluginDir(), 'x', GOOD_BODY, { protocol: '2.0' });
    const r = mfile(['driver', 'test', path]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('FAIL starts and answers the handshake with protocol 1.x: driver plugin mfile-driver-x: handshake: plugin speaks protocol 2.0, mfile speaks 1.0');
  });
});
