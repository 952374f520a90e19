import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fingerprintOf, keyTypeOf, knownHostsLine } from '../../../src/remote/ssh/fingerprint.js';
import { hostKeyChangedMessage } from '../../../src/remote/ssh/host-key.js';

describe('host key fingerprints', () => {
  it('match what ssh-keygen -l prints', () => {
    const d = mkdtempSync(join(tmpdir(), 'fp-'));
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(d, 'k')]);
    const blob = Buffer.from(readFileSync(join(d, 'k.pub'), 'utf8').split(' ')[1], 'base64');
    const printed = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', join(d, 'k.pub')], { encoding: 'utf8' }).split(' ')[1];
    expect(fingerprintOf(blob)).toBe(printed);
    expect(keyTypeOf(blob)).toBe('ssh-ed25519');
    expect(knownHostsLine('10.0.0.5', 22, blob)).toBe(`10.0.0.5 ssh-ed25519 ${blob.toString('base64')}\n`);
    expect(knownHostsLine('10.0.0.5', 2222, blob)).toMatch(/^\[10\.0\.0\.5\]:2222 ssh-ed25519 /);
  });

  it('a changed key message shows both fingerprints and how to accept the new one', () => {
    const m = hostKeyChangedMessage('web-1', 'SHA256:old', 'SHA256:new');
    expect(m).toContain('SHA256:old');
    expect(m).toContain('SHA256:new');
    expect(m).toContain('mfile ssh-keys forget web-1');
  });
});
