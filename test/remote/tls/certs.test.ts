import { execFileSync } from 'node:child_process';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createServerCert } from '../../../src/remote/tls/certs.js';
import { envExports } from '../../../src/remote/tls/env-exports.js';
import {
  clientCertPaths,
  ensureCa,
  ensureServerCert,
  regenerateServerCert,
  serverCertPaths,
  serverSans,
} from '../../../src/remote/tls/store.js';
import type { MachineRecord } from '../../../src/model/index.js';

describe('TLS material', () => {
  const stateDir = join(mkdtempSync(join(tmpdir(), 'tls-')), '.mfile');

  it('makes one CA and client cert per state folder, a server cert per machine that verifies', async () => {
    const sans = serverSans('web-1', ['10.213.0.5'], ['web.example.com']);
    const files = await ensureServerCert(stateDir, 'web-1', sans);
    const ca = new X509Certificate(files.ca);
    const server = new X509Certificate(files.cert);
    const client = new X509Certificate(readFileSync(clientCertPaths(stateDir).cert));
    expect(ca.ca).toBe(true);
    expect(server.checkIssued(ca)).toBe(true);
    expect(server.verify(ca.publicKey)).toBe(true);
    expect(client.checkIssued(ca)).toBe(true);
    expect(server.checkIP('10.213.0.5')).toBe('10.213.0.5');
    expect(server.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(server.checkHost('localhost')).toBe('localhost');
    expect(server.checkHost('web.example.com')).toBe('web.example.com');
    expect(server.checkHost('web-1')).toBe('web-1');
    expect(server.checkIP('10.213.0.6')).toBeUndefined();
    expect(client.keyUsage ?? []).toContain('1.3.6.1.5.5.7.3.2'); // clientAuth
    expect(server.keyUsage ?? []).toContain('1.3.6.1.5.5.7.3.1'); // serverAuth
  });

  it('makes ECDSA P-256 keys (cheap to make while machines are created)', async () => {
    await ensureCa(stateDir);
    for (const f of [join(stateDir, 'certs', 'ca-key.pem'), clientCertPaths(stateDir).key, serverCertPaths(stateDir, 'web-1').key]) {
      const k = createPrivateKey(readFileSync(f, 'utf8'));
      expect([k.asymmetricKeyType, k.asymmetricKeyDetails?.namedCurve], f).toEqual(['ec', 'prime256v1']);
    }
  });

  // A Docker Machine store's CA (or a state made when mfile's keys were RSA): an RSA key in PKCS#1 PEM. Go's
  // verifier finds a certificate's CA by its name's exact bytes, so the issuer is copied, not re-encoded.
  it('signs with an RSA CA made elsewhere: the certificate verifies and names the CA byte for byte', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tls-rsa-ca-'));
    const keyFile = join(dir, 'ca-key.pem');
    const certFile = join(dir, 'ca.pem');
    execFileSync('openssl', ['genrsa', '-traditional', '-out', keyFile, '2048'], { stdio: 'ignore' });
    // openssl writes the name as UTF8String where a re-encoding would choose PrintableString.
    execFileSync('openssl', ['req', '-x509', '-key', keyFile, '-out', certFile, '-days', '30', '-subj', '/O=someone/CN=Docker Machine CA']);
    const ca = { certPem: readFileSync(certFile, 'utf8'), keyPem: readFileSync(keyFile, 'utf8') };
    expect(ca.keyPem).toMatch(/^-----BEGIN RSA PRIVATE KEY-----/);
    const made = await createServerCert(ca, 'dm1', ['10.213.120.1']);
    const server = new X509Certificate(made.certPem);
    expect(server.verify(new X509Certificate(ca.certPem).publicKey)).toBe(true);
    writeFileSync(join(dir, 'server.pem'), made.certPem);
    const rawName = (file: string, field: 'subject' | 'issuer'): string =>
      execFileSync('openssl', ['x509', '-in', file, '-noout', `-${field}`, '-nameopt', 'RFC2253,dump_all,dump_der'], { encoding: 'utf8' }).replace(/^\w+=/, '');
    expect(rawName(join(dir, 'server.pem'), 'issuer')).toBe(rawName(certFile, 'subject'));
  });

  it('keeps keys 0600 and folders 0700', async () => {
    await ensureCa(stateDir);
    const mode = (p: string) => statSync(p).mode & 0o777;
    expect(mode(join(stateDir, 'certs'))).toBe(0o700);
    expect(mode(join(stateDir, 'certs', 'ca-key.pem'))).toBe(0o600);
    expect(mode(clientCertPaths(stateDir).key)).toBe(0o600);
    expect(mode(join(stateDir, 'machines', 'web-1'))).toBe(0o700);
    expect(mode(serverCertPaths(stateDir, 'web-1').key)).toBe(0o600);
  });

  it('reuses what exists and rotates on request', async () => {
    const sans = serverSans('web-1', ['10.213.0.5'], []);
    const a = await ensureServerCert(stateDir, 'web-1', sans);
    const b = await ensureServerCert(stateDir, 'web-1', sans);
    expect(b.cert).toBe(a.cert);
    const c = await regenerateServerCert(stateDir, 'web-1', sans);
    expect(c.cert).not.toBe(a.cert);
    expect(c.ca).toBe(a.ca);
  });

  it('env exports point the docker CLI at the machine', () => {
    const r = { name: 'web-1', engineUrl: 'tcp://10.213.0.5:2376' } as MachineRecord;
    expect(envExports(r, 'bash', '/p/.mfile/certs')).toBe(
      'export DOCKER_HOST=tcp://10.213.0.5:2376\nexport DOCKER_TLS_VERIFY=1\nexport DOCKER_CERT_PATH=/p/.mfile/certs\n' +
        '# Run this command to configure your shell:\n# eval "$(mfile env web-1)"\n',
    );
    expect(envExports(r, 'fish', '/p/.mfile/certs').split('\n')[0]).toBe('set -gx DOCKER_HOST tcp://10.213.0.5:2376;');
  });
});
