// A refresh of a machine whose engine serves mutual TLS makes one connection (one TLS handshake) to it, not one per
// engine call: with many machines those handshakes were most of a no-op plan's time. The engine is the real local
// dockerd, behind a TLS server that counts the connections it accepts. A wrong certificate or an engine that is
// down still gives one line naming the machine.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect as netConnect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConnections, refresh } from '../../src/apply/index.js';
import { noneTraits } from '../../src/drivers/none/traits.js';
import type { Desired } from '../../src/model/index.js';
import { createCa, createClientCert, createServerCert, type KeyAndCert } from '../../src/remote/tls/certs.js';
import { desiredOf, freshState } from '../helpers/fixtures.js';

const project = `mfrtls${process.pid}`;
let dir: string;
let server: Server;
let port: number;
let accepted = 0;

function writePair(name: string, ca: KeyAndCert, pair: KeyAndCert): { ca: string; cert: string; key: string } {
  const files = { ca: join(dir, `${name}-ca.pem`), cert: join(dir, `${name}-cert.pem`), key: join(dir, `${name}-key.pem`) };
  writeFileSync(files.ca, ca.certPem);
  writeFileSync(files.cert, pair.certPem);
  writeFileSync(files.key, pair.keyPem, { mode: 0o600 });
  return files;
}

let good: { ca: string; cert: string; key: string };
let stranger: { ca: string; cert: string; key: string };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mfile-refresh-tls-'));
  const ca = await createCa('mfile-test-ca');
  const [serverPair, client] = await Promise.all([createServerCert(ca, 'engine', ['127.0.0.1']), createClientCert(ca)]);
  good = writePair('good', ca, client);
  // A client certificate from another CA: the engine refuses it.
  const otherCa = await createCa('other-ca');
  stranger = writePair('stranger', ca, await createClientCert(otherCa));
  server = createServer({ key: serverPair.keyPem, cert: serverPair.certPem, ca: ca.certPem, requestCert: true, rejectUnauthorized: true }, (tls) => {
    accepted += 1;
    const engine = netConnect('/var/run/docker.sock');
    tls.pipe(engine).pipe(tls);
    const close = (): void => {
      tls.destroy();
      engine.destroy();
    };
    tls.on('error', close).on('close', close);
    engine.on('error', close).on('close', close);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
}, 60_000);

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

function tlsMachine(files: { ca: string; cert: string; key: string }, at = port): Desired {
  const desired = desiredOf(project, {});
  desired.machines = {
    e1: { ...desired.machines.m1, name: 'e1', driver: 'none', traits: noneTraits, driverOptions: { url: `tcp://127.0.0.1:${at}`, tls: files } },
  };
  return desired;
}

describe('refresh over mutual TLS', () => {
  it('observes the engine over one connection', async () => {
    const desired = tlsMachine(good);
    const conns = createConnections(desired, freshState());
    accepted = 0;
    const observed = await refresh(desired, freshState(), conns);
    await conns.closeAll();
    expect(observed.machines.e1.status, observed.machines.e1.error).toBe('running');
    expect(observed.machines.e1.dockerVersion).toMatch(/\d+\.\d+/);
    expect(observed.machines.e1.swarm?.state).toBeDefined();
    expect(accepted).toBe(1);
  });

  it('reports a client certificate the engine refuses as one line naming the machine', async () => {
    const desired = tlsMachine(stranger);
    const conns = createConnections(desired, freshState());
    const observed = await refresh(desired, freshState(), conns);
    await conns.closeAll();
    expect(observed.machines.e1.status).toBe('error');
    expect(observed.machines.e1.error).toMatch(new RegExp(`^e1: engine tcp://127\\.0\\.0\\.1:${port} unreachable: \\S`));
    expect(observed.machines.e1.error).not.toContain('\n');
  });

  it('reports an engine that is down as one line naming the machine', async () => {
    const down = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    const desired = tlsMachine(good, down);
    const conns = createConnections(desired, freshState());
    const observed = await refresh(desired, freshState(), conns);
    await conns.closeAll();
    expect(observed.machines.e1.status).toBe('error');
    expect(observed.machines.e1.error).toBe(`e1: engine tcp://127.0.0.1:${down} unreachable: the engine does not answer (connection refused) (connect ECONNREFUSED 127.0.0.1:${down})`);
  });
});
