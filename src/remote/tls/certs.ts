// The TLS certificates mfile makes: a CA, a client certificate and one server certificate per machine, built with
// @peculiar/x509 on node's WebCrypto. New keys are ECDSA P-256: made in well under a millisecond, where an RSA
// 2048 key costs ~0.1-0.3 s of CPU per key, paid while machines are being created. dockerd and the docker CLI
// (Go's crypto/tls) take both. A CA whose key is RSA (a Docker Machine store, or a state made before) still
// signs: the signature follows the CA key's own algorithm.
import { createPrivateKey, KeyObject, randomBytes, webcrypto } from 'node:crypto';
import { createRequire } from 'node:module';
import { isIP } from 'node:net';
import type * as X509 from '@peculiar/x509';

export interface KeyAndCert {
  keyPem: string;
  certPem: string;
}

/** A new key pair: its private half as PKCS#8 PEM (what is written to disk) and both halves for WebCrypto. */
export interface NewKey {
  pem: string;
  pair: webcrypto.CryptoKeyPair;
}

const DAY = 86_400_000;
const EC_P256 = { name: 'ECDSA', namedCurve: 'P-256' } as const;

// @peculiar/x509 is loaded when a certificate is first made, not by every command that imports this module. It
// needs reflect-metadata loaded before it (its dependency injection reads decorators' metadata).
let loaded: typeof X509 | undefined;
function x509(): typeof X509 {
  if (loaded) return loaded;
  const require = createRequire(import.meta.url);
  require('reflect-metadata');
  loaded = require('@peculiar/x509') as typeof X509;
  loaded.cryptoProvider.set(webcrypto as unknown as Crypto);
  return loaded;
}

/** An ECDSA P-256 key pair; async so callers can start it early and await it when the certificate is signed. */
export async function newKey(): Promise<NewKey> {
  const pair = (await webcrypto.subtle.generateKey(EC_P256, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  return { pem: KeyObject.from(pair.privateKey).export({ type: 'pkcs8', format: 'pem' }) as string, pair };
}

const CURVES: Record<string, string> = { prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521' };

/** A stored CA key (PKCS#1, SEC1 or PKCS#8 PEM, RSA or EC) as a WebCrypto signing key, and the algorithm it signs with. */
async function signingKey(keyPem: string): Promise<{ key: webcrypto.CryptoKey; alg: webcrypto.EcdsaParams | webcrypto.RsaHashedImportParams }> {
  const k = createPrivateKey(keyPem);
  const der = k.export({ type: 'pkcs8', format: 'der' });
  const curve = CURVES[k.asymmetricKeyDetails?.namedCurve ?? ''];
  const importAlg =
    k.asymmetricKeyType === 'ec' && curve
      ? { name: 'ECDSA', namedCurve: curve }
      : k.asymmetricKeyType === 'rsa'
        ? { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }
        : undefined;
  if (!importAlg) throw new Error(`the CA key is of a kind mfile cannot sign with (${k.asymmetricKeyType ?? 'unknown'})`);
  const key = await webcrypto.subtle.importKey('pkcs8', der, importAlg, false, ['sign']);
  return { key, alg: { ...importAlg, hash: 'SHA-256' } };
}

function validity(years: number): { serialNumber: string; notBefore: Date; notAfter: Date } {
  return {
    serialNumber: '01' + randomBytes(9).toString('hex'), // leading 01 keeps it positive
    notBefore: new Date(Date.now() - 5 * 60_000), // tolerate small clock skew between hosts
    notAfter: new Date(Date.now() + years * 365 * DAY),
  };
}

export async function createCa(cn: string, key: Promise<NewKey> = newKey()): Promise<KeyAndCert> {
  const x = x509();
  const k = await key;
  const U = x.KeyUsageFlags;
  const cert = await x.X509CertificateGenerator.createSelfSigned({
    ...validity(10),
    name: [{ CN: [cn] }, { O: ['mfile'] }],
    keys: k.pair as CryptoKeyPair,
    signingAlgorithm: { ...EC_P256, hash: 'SHA-256' } as EcdsaParams,
    extensions: [
      new x.BasicConstraintsExtension(true, undefined, true),
      new x.KeyUsagesExtension(U.keyCertSign | U.cRLSign | U.digitalSignature, true),
      await x.SubjectKeyIdentifierExtension.create(k.pair.publicKey as CryptoKey),
    ],
  });
  return { keyPem: k.pem, certPem: cert.toString('pem') + '\n' };
}

async function signedBy(ca: KeyAndCert, cn: string, extensions: X509.Extension[], key: Promise<NewKey>): Promise<KeyAndCert> {
  const x = x509();
  const U = x.KeyUsageFlags;
  const [k, signer] = await Promise.all([key, signingKey(ca.keyPem)]);
  const cert = await x.X509CertificateGenerator.create({
    ...validity(3),
    subject: [{ CN: [cn] }, { O: ['mfile'] }],
    // The CA's own encoded name: a verifier matches the issuer to its CA byte for byte.
    issuer: new x.X509Certificate(ca.certPem).subjectName,
    publicKey: k.pair.publicKey as CryptoKey,
    signingKey: signer.key as CryptoKey,
    signingAlgorithm: signer.alg as Algorithm,
    extensions: [
      new x.BasicConstraintsExtension(false),
      // ECDSA keys sign; they encipher nothing (keyEncipherment is RSA key transport).
      new x.KeyUsagesExtension(U.digitalSignature, true),
      ...extensions,
    ],
  });
  return { keyPem: k.pem, certPem: cert.toString('pem') + '\n' };
}

export function createClientCert(ca: KeyAndCert, key: Promise<NewKey> = newKey()): Promise<KeyAndCert> {
  const x = x509();
  return signedBy(ca, 'mfile-client', [new x.ExtendedKeyUsageExtension([x.ExtendedKeyUsage.clientAuth])], key);
}

/** A server certificate whose SANs list every name and address the engine is reached by. */
export function createServerCert(ca: KeyAndCert, cn: string, sans: string[], key: Promise<NewKey> = newKey()): Promise<KeyAndCert> {
  const x = x509();
  const names = [...new Set(sans)].map((s) => ({ type: isIP(s) ? ('ip' as const) : ('dns' as const), value: s }));
  return signedBy(ca, cn, [
    new x.ExtendedKeyUsageExtension([x.ExtendedKeyUsage.serverAuth]),
    new x.SubjectAlternativeNameExtension(names),
  ], key);
}
