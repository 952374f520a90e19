// Waiting for a VM's SSH on a forwarded port: user networking accepts the connection on the host side before the
// guest listens and then closes it, so only an SSH banner counts.
import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { sshBanner } from '../../../src/drivers/qemu/boot-wait.js';
import { freePorts, portFree } from '../../../src/drivers/qemu/ports.js';

let server: Server | undefined;
afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

function listen(onConn: (s: import('node:net').Socket) => void): Promise<number> {
  server = createServer(onConn);
  return new Promise((r) => server!.listen(0, '127.0.0.1', () => r((server!.address() as { port: number }).port)));
}

describe('sshBanner', () => {
  it('is true for an SSH server', async () => {
    const port = await listen((s) => s.write('SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n'));
    expect(await sshBanner(port)).toBe(true);
  });

  it('is false for a port that accepts and closes (a booting guest behind user networking)', async () => {
    const port = await listen((s) => s.end());
    expect(await sshBanner(port)).toBe(false);
  });

  it('is false for another protocol', async () => {
    const port = await listen((s) => s.write('HTTP/1.1 400 Bad Request\r\n\r\n'));
    expect(await sshBanner(port)).toBe(false);
  });
});

describe('ports', () => {
  it('gives distinct ports that are free, and sees a taken one', async () => {
    const ports = await freePorts(3);
    expect(new Set(ports).size).toBe(3);
    for (const p of ports) expect(await portFree(p)).toBe(true);
    const taken = await listen(() => undefined);
    expect(await portFree(taken)).toBe(false);
  });
});
