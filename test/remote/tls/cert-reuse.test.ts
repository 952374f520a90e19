// A stored certificate is used again only while it still fits: signed by the current CA (not merely naming it),
// matching the key beside it, naming every SAN, not about to expire. A pair torn by a crash between its two
// writes is never used: it is made anew.
import { X509Certificate, createPublicKey } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createCa, createServerCert } from '../../../src/remote/tls/certs.js';
import { RENEW_BEFORE_MS } from '../../../src/remote/tls/pair-check.js';
import { clientCertPaths, ensureCa, ensureServerCert, serverCertPaths, serverSans, type ServerCertFiles } from '../../../src/remote/tls/store.js';

const made: string[] = [];
afterEach(() => {
  for (const d of made.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function stateDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'mfile-reuse-'));
  made.push(d);
  return path.join(d, '.mfile');
}

const SANS = serverSans('web-1', ['10.213.0.5'], []);
const spki = (pem: string): Buffer => createPublicKey(pem).export({ type: 'spki', format: 'der' });

/** What a TLS peer checks: the certificate is signed by this CA, names the address, and is the key's own. */
function expectWorkingPair(files: ServerCertFiles): void {
  const cert = new X509Certificate(files.cert);
  expect(cert.verify(new X509Certificate(files.ca).publicKey), 'signed by the CA it is uploaded with').toBe(true);
  expect(spki(files.key).equals(cert.publicKey.export({ type: 'spki', format: 'der' })), 'certificate matches key').toBe(true);
  expect(cert.checkIP('10.213.0.5')).toBe('10.213.0.5');
}

describe('server certificate reuse', () => {
  it('keeps a certificate that still fits', async () => {
    const s = stateDir();
    const a = await ensureServerCert(s, 'web-1', SANS);
    const b = await ensureServerCert(s, 'web-1', SANS);
    expect(b).toEqual(a);
  });

  it('issues a new one when the CA was made anew (its files deleted)', async () => {
    const s = stateDir();
    const a = await ensureServerCert(s, 'web-1', SANS);
    for (const f of ['ca.pem', 'ca-key.pem']) fs.rmSync(path.join(s, 'certs', f));
    const b = await ensureServerCert(s, 'web-1', SANS);
    expect(b.ca).not.toBe(a.ca);
    expect(b.cert).not.toBe(a.cert);
    expectWorkingPair(b);
    const client = new X509Certificate(fs.readFileSync(clientCertPaths(s).cert));
    expect(client.verify(new X509Certificate(b.ca).publicKey), 'client certificate from the new CA').toBe(true);
  });

  it('issues a new one when the key beside it is not its own', async () => {
    const s = stateDir();
    const a = await ensureServerCert(s, 'web-1', SANS);
    const other = await createServerCert(await ensureCa(s), 'web-1', SANS);
    fs.writeFileSync(serverCertPaths(s, 'web-1').key, other.keyPem);
    const b = await ensureServerCert(s, 'web-1', SANS);
    expect(b.cert).not.toBe(a.cert);
    expectWorkingPair(b);
  });

  // A crash between writing a new pair's two files leaves one file of each pair, whichever is written first.
  for (const torn of ['new key, old certificate', 'old key, new certificate']) {
    it(`never uses a pair torn by a crash (${torn})`, async () => {
      const s = stateDir();
      const old = await ensureServerCert(s, 'web-1', SANS);
      const fresh = await createServerCert(await ensureCa(s), 'web-1', SANS);
      const p = serverCertPaths(s, 'web-1');
      fs.writeFileSync(p.key, torn.startsWith('new key') ? fresh.keyPem : old.key);
      fs.writeFileSync(p.cert, torn.startsWith('new key') ? old.cert : fresh.certPem);
      const got = await ensureServerCert(s, 'web-1', SANS);
      expectWorkingPair(got);
      expect(fs.readFileSync(p.cert, 'utf8')).toBe(got.cert);
      expect(fs.readFileSync(p.key, 'utf8')).toBe(got.key);
    });
  }

  it('makes a CA anew when its key file is not its own (a crash between the CA writes), with certificates that verify', async () => {
    const s = stateDir();
    await ensureServerCert(s, 'web-1', SANS);
    const other = await createCa('mfile CA');
    fs.writeFileSync(path.join(s, 'certs', 'ca-key.pem'), other.keyPem);
    vi.resetModules(); // the next run: a new process that knows only the files
    const next = await import('../../../src/remote/tls/store.js');
    const ca = await next.ensureCa(s);
    expect(spki(ca.keyPem).equals(spki(ca.certPem))).toBe(true);
    expectWorkingPair(await next.ensureServerCert(s, 'web-1', SANS));
  });

  it('renews a certificate close to its end', async () => {
    const s = stateDir();
    const a = await ensureServerCert(s, 'web-1', SANS);
    const end = Date.parse(new X509Certificate(a.cert).validTo);
    try {
      vi.useFakeTimers({ toFake: ['Date'] });
      vi.setSystemTime(end - RENEW_BEFORE_MS - 86_400_000);
      expect((await ensureServerCert(s, 'web-1', SANS)).cert, 'a month and a day before its end').toBe(a.cert);
      vi.setSystemTime(end - RENEW_BEFORE_MS + 86_400_000);
      const b = await ensureServerCert(s, 'web-1', SANS);
      expect(b.cert, 'a month less a day before its end').not.toBe(a.cert);
      expect(Date.parse(new X509Certificate(b.cert).validTo)).toBeGreaterThan(end);
    } finally {
      vi.useRealTimers();
    }
  });

  it('issues a new one when an address is added', async () => {
    const s = stateDir();
    const a = await ensureServerCert(s, 'web-1', SANS);
    const b = await ensureServerCert(s, 'web-1', [...SANS, '10.213.0.9']);
    expect(b.cert).not.toBe(a.cert);
    expect(new X509Certificate(b.cert).checkIP('10.213.0.9')).toBe('10.213.0.9');
  });
});
