// Whether stored key + certificate pairs may be used again: the certificate matches its key, was signed by the
// current CA (the signature, not just the issuer's name: a regenerated CA keeps the name), names every SAN
// and is not about to expire. Anything else, including a pair torn by a crash between its two writes, is made anew.
import { createPublicKey, X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import type { KeyAndCert } from './certs.js';

/** Certificates this close to their end are renewed rather than reused. */
export const RENEW_BEFORE_MS = 30 * 86_400_000;

function parse(pem: string): X509Certificate | null {
  try {
    return new X509Certificate(pem);
  } catch {
    return null;
  }
}

/** The certificate's public key is the one of the private key beside it. */
export function keyMatches(cert: X509Certificate, keyPem: string): boolean {
  try {
    const der = (k: ReturnType<typeof createPublicKey>) => k.export({ type: 'spki', format: 'der' });
    return der(createPublicKey(keyPem)).equals(der(cert.publicKey));
  } catch {
    return false;
  }
}

function current(cert: X509Certificate, now: number, renewBefore: number): boolean {
  return Date.parse(cert.validFrom) <= now + 5 * 60_000 && Date.parse(cert.validTo) - now > renewBefore;
}

/** A CA pair that is self-signed, marked as a CA, matches its key and has not expired. */
export function usableCa(pair: KeyAndCert, now = Date.now()): boolean {
  const c = parse(pair.certPem);
  return !!c && c.ca && keyMatches(c, pair.keyPem) && c.verify(c.publicKey) && current(c, now, 0);
}

/** A leaf pair signed by `caPem`, matching its key, naming every SAN, and not expiring within RENEW_BEFORE_MS. */
export function usableLeaf(pair: KeyAndCert, caPem: string, sans: string[] = [], now = Date.now()): boolean {
  const c = parse(pair.certPem);
  const ca = parse(caPem);
  if (!c || !ca || !keyMatches(c, pair.keyPem) || !current(c, now, RENEW_BEFORE_MS)) return false;
  if (!c.checkIssued(ca) || !c.verify(ca.publicKey)) return false;
  return sans.every((s) => (isIP(s) ? c.checkIP(s) : c.checkHost(s, { wildcards: false })) !== undefined);
}
