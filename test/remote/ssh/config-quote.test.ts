// OpenSSH config arguments read back by the real ssh parser (no connection is made); sshd reads its config
// with the same word splitter.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { sshConfigArg, sshConfigPath } from '../../../src/remote/ssh/config-quote.js';

// " #" would start a comment in an unquoted word, so a wrong split shows up as a cut-short path.
const AWKWARD = ['/home/u/My Project/.mfile/known_hosts', '/srv/a #b/c', `/srv/it's "x"/back\\slash`, '/srv/100% done/%d'];

/** The value ssh reads for UserKnownHostsFile from `-o` (after its own %-expansion). */
function sshReads(option: string): string {
  const out = execFileSync('ssh', ['-G', '-o', option, 'example.invalid'], { encoding: 'utf8' });
  return /^userknownhostsfile (.*)$/m.exec(out)![1];
}

describe('OpenSSH config quoting', () => {
  it('double-quotes a word and escapes only backslash and double quote', () => {
    expect(sshConfigArg('/run/sshd.pid')).toBe('"/run/sshd.pid"');
    expect(sshConfigArg('/a b/c')).toBe('"/a b/c"');
    expect(sshConfigArg(`/a"b\\c'd`)).toBe(`"/a\\"b\\\\c'd"`);
    expect(sshConfigPath('/a/100%')).toBe('"/a/100%%"');
  });

  it('refuses what a config line cannot carry', () => {
    expect(() => sshConfigArg('/a\nHostKey /b')).toThrow(/line break/);
    expect(() => sshConfigArg('/a\0b')).toThrow(/NUL/);
  });

  it.each(AWKWARD)('ssh reads back %s as one path', (p) => {
    expect(sshReads(`UserKnownHostsFile=${sshConfigPath(p)}`)).toBe(p);
  });

  it('without quotes ssh would cut such a path short', () => {
    expect(sshReads('UserKnownHostsFile=/srv/a #b/c')).toBe('/srv/a');
  });
});
