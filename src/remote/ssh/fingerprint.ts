// Host key fingerprints in the form `ssh-keygen -l` prints: SHA256:<base64 without padding>.
import { createHash } from 'node:crypto';

/** Fingerprint of a host key blob (the SSH wire-format public key). */
export function fingerprintOf(keyBlob: Buffer): string {
  return 'SHA256:' + createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '');
}

/** The key type named at the start of a wire-format key blob (e.g. ssh-ed25519). */
export function keyTypeOf(keyBlob: Buffer): string {
  const len = keyBlob.readUInt32BE(0);
  return keyBlob.subarray(4, 4 + len).toString('ascii');
}

/** One known_hosts line for the key, with the [host]:port form OpenSSH uses for ports other than 22. */
export function knownHostsLine(host: string, port: number, keyBlob: Buffer): string {
  const who = port === 22 ? host : `[${host}]:${port}`;
  return `${who} ${keyTypeOf(keyBlob)} ${keyBlob.toString('base64')}\n`;
}
