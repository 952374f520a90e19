// The QMP client against a fake qemu on a unix socket: greeting, capabilities negotiation, events skipped,
// errors carried with qemu's description, and a silent socket bounded by the timeout.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { qmpCommand, queryStatus } from '../../../src/drivers/qemu/qmp.js';

let server: Server | undefined;
let dir: string | undefined;

/** A fake qemu: answers each command line with handler's reply lines. */
function fakeQemu(handler: (cmd: Record<string, unknown>, sock: Socket) => string[], greet = true): Promise<{ path: string; seen: string[] }> {
  dir = mkdtempSync(join(tmpdir(), 'mfile-qmp-'));
  const path = join(dir, 'qmp.sock');
  const seen: string[] = [];
  server = createServer((sock) => {
    if (greet) sock.write('{"QMP": {"version": {"qemu": {"major": 7}}, "capabilities": []}}\r\n');
    let buf = '';
    sock.on('data', (b) => {
      buf += b.toString();
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        const cmd = JSON.parse(buf.slice(0, i)) as Record<string, unknown>;
        buf = buf.slice(i + 1);
        seen.push(String(cmd.execute));
        for (const l of handler(cmd, sock)) sock.write(l + '\r\n');
      }
    });
  });
  return new Promise((resolve) => server!.listen(path, () => resolve({ path, seen })));
}

afterEach(() => {
  server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  server = dir = undefined;
});

describe('QMP client', () => {
  it('negotiates capabilities, skips events and returns query-status', async () => {
    const q = await fakeQemu((cmd) =>
      cmd.execute === 'qmp_capabilities'
        ? ['{"return": {}}']
        : ['{"event": "RTC_CHANGE", "data": {"offset": 0}, "timestamp": {"seconds": 1, "microseconds": 0}}', '{"return": {"status": "running", "singlestep": false, "running": true}}'],
    );
    expect(await queryStatus(q.path)).toEqual({ running: true, status: 'running' });
    expect(q.seen).toEqual(['qmp_capabilities', 'query-status']);
  });

  it("reports qemu's error description", async () => {
    const q = await fakeQemu((cmd) =>
      cmd.execute === 'qmp_capabilities' ? ['{"return": {}}'] : ['{"error": {"class": "CommandNotFound", "desc": "The command nope has not been found"}}'],
    );
    await expect(qmpCommand(q.path, 'nope')).rejects.toThrow('nope: The command nope has not been found');
  });

  it('gives up on a socket that never greets, within the timeout', async () => {
    const q = await fakeQemu(() => [], false);
    await expect(qmpCommand(q.path, 'query-status', undefined, 300)).rejects.toThrow('QMP did not answer within 300 ms');
  });

  it('fails on a socket nobody listens on', async () => {
    await expect(queryStatus('/nonexistent/qmp.sock')).rejects.toThrow(/ENOENT/);
  });
});
