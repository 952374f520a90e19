import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { quoteArg, quoteArgv } from '../../../src/remote/ssh/shell-quote.js';

describe('shell quoting', () => {
  it('leaves plain words alone and quotes everything else', () => {
    expect(quoteArgv(['docker', 'version', '--format', '{{.Server.Version}}'])).toBe("docker version --format '{{.Server.Version}}'");
    expect(quoteArg('')).toBe("''");
    expect(quoteArg('/etc/docker/daemon.json')).toBe('/etc/docker/daemon.json');
    expect(quoteArg('a b')).toBe("'a b'");
    expect(quoteArg("it's")).toBe("'it'\\''s'");
    expect(quoteArg('$(touch /tmp/pwned)')).toBe("'$(touch /tmp/pwned)'");
    expect(quoteArg('`id`')).toBe("'`id`'");
    expect(quoteArg('a;b')).toBe("'a;b'");
    expect(quoteArg('line1\nline2')).toBe("'line1\nline2'");
    expect(quoteArg('*')).toBe("'*'");
  });

  it('refuses an empty argv', () => {
    expect(() => quoteArgv([])).toThrow(/empty/);
  });

  const nasty = ['$(touch /tmp/mfile-pwned)', '`touch /tmp/mfile-pwned`', 'a; touch /tmp/mfile-pwned', 'x\ny', `'"\\`, '$HOME', '*', '-n', ''];
  for (const shell of ['sh', 'bash']) {
    it(`every value arrives literally through ${shell}`, () => {
      const line = quoteArgv(['printf', '%s\\0', ...nasty]);
      const out = execFileSync(shell, ['-c', line], { encoding: 'utf8' });
      expect(out.split('\0').slice(0, -1)).toEqual(nasty);
    });
  }
});
