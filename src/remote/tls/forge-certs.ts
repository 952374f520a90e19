// Certificates signed with node-forge; keys come from node:crypto (native, ~100 ms) because forge's own
// RSA key generation takes seconds in pure JS.
import { generateKeyPair, randomBytes, sign } from 'node:crypto';
import { promisify } from 'node:util';
import { isIP } from 'node:net';
import { createRequire } from 'node:module';
import type forge from 'node-forge';

export interface KeyAndCert {
  keyPem: string;
  certPem: string;
}

const DAY = 86_400_000;

const genKeyPair = promisify(generateKeyPair);

// node-forge is loaded when a certificate is first made, not by every command that imports this module. Each
// function below names it `forge` locally; the types keep coming from the type-only import.
let loaded: typeof forge | undefined;
const nodeForge = (): typeof forge => (loaded ??= createRequire(import.meta.url)('node-forge') as typeof forge);

/** RSA 2048 from node:crypto, off the main thread (libuv pool), so several machines' keys are made at once. */
export type RsaKey = { pem: string; pub: forge.pki.rsa.PublicKey };

export async function newKey(): Promise<RsaKey> {
  const forge = nodeForge();
  const { privateKey } = await genKeyPair('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  const priv = forge.pki.privateKeyFromPem(privateKey) as forge.pki.rsa.PrivateKey;
  return { pem: privateKey, pub: forge.pki.setRsaPublicKey(priv.n, priv.e) };
}

function baseCert(pub: forge.pki.rsa.PublicKey, cn: string, years: number): forge.pki.Certificate {
  const forge = nodeForge();
  const c = forge.pki.createCertificate();
  c.publicKey = pub;
  c.serialNumber = '01' + randomBytes(9).toString('hex'); // leading 01 keeps it positive
  c.validity.notBefore = new Date(Date.now() - 5 * 60_000); // tolerate small clock skew between hosts
  c.validity.notAfter = new Date(Date.now() + years * 365 * DAY);
  c.setSubject([{ name: 'commonName', value: cn }, { name: 'organizationName', value: 'mfile' }]);
  return c;
}

/**
 * What forge's cert.sign() does, with the RSA private-key operation done natively: forge's pure-JS signature
 * takes ~0.5 s on a small machine, node:crypto ~2 ms.
 */
function signCert(c: forge.pki.Certificate, keyPem: string): void {
  const forge = nodeForge();
  const oid = forge.pki.oids.sha256WithRSAEncryption;
  const cc = c as forge.pki.Certificate & { signatureOid: string; siginfo: { algorithmOid: string }; tbsCertificate: forge.asn1.Asn1 };
  cc.signatureOid = oid;
  cc.siginfo.algorithmOid = oid;
  cc.md = forge.md.sha256.create();
  // getTBSCertificate is public in forge but missing from @types/node-forge.
  cc.tbsCertificate = (forge.pki as unknown as { getTBSCertificate(c: forge.pki.Certificate): forge.asn1.Asn1 }).getTBSCertificate(c);
  const tbs = Buffer.from(forge.asn1.toDer(cc.tbsCertificate).getBytes(), 'binary');
  c.signature = sign('sha256', tbs, keyPem).toString('binary');
}

export async function createCa(cn: string, key: Promise<RsaKey> = newKey()): Promise<KeyAndCert> {
  const forge = nodeForge();
  const k = await key;
  const c = baseCert(k.pub, cn, 10);
  c.setIssuer(c.subject.attributes);
  c.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  signCert(c, k.pem);
  return { keyPem: k.pem, certPem: forge.pki.certificateToPem(c) };
}

async function signedBy(ca: KeyAndCert, cn: string, extensions: object[], key: Promise<RsaKey>): Promise<KeyAndCert> {
  const forge = nodeForge();
  const caCert = forge.pki.certificateFromPem(ca.certPem);
  const k = await key;
  const c = baseCert(k.pub, cn, 3);
  c.setIssuer(caCert.subject.attributes);
  c.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    ...extensions,
  ]);
  signCert(c, ca.keyPem);
  return { keyPem: k.pem, certPem: forge.pki.certificateToPem(c) };
}

export function createClientCert(ca: KeyAndCert, key: Promise<RsaKey> = newKey()): Promise<KeyAndCert> {
  return signedBy(ca, 'mfile-client', [{ name: 'extKeyUsage', clientAuth: true }], key);
}

/** A server certificate whose SANs list every name and address the engine is reached by. */
export function createServerCert(ca: KeyAndCert, cn: string, sans: string[], key: Promise<RsaKey> = newKey()): Promise<KeyAndCert> {
  const altNames = [...new Set(sans)].map((s) => (isIP(s) ? { type: 7, ip: s } : { type: 2, value: s }));
  return signedBy(ca, cn, [
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames },
  ], key);
}
