// One escaping rule for everything mfile prints to a terminal.
import { describe, expect, it } from 'vitest';
import { terminalLine, terminalText } from '../src/terminal-text.js';

describe('terminal text', () => {
  it('escapes C0, DEL, C1, line separators and bidi controls; keeps printable text and non-Latin letters', () => {
    expect(terminalLine('a\x1b[2Jb\x07c\x7fd\x9be\u2028f\u202eg\u2066h é 💥')).toBe('a\\u001b[2Jb\\u0007c\\u007fd\\u009be\\u2028f\\u202eg\\u2066h é 💥');
  });

  it('terminalLine makes one line; terminalText keeps newlines and tabs', () => {
    expect(terminalLine('a\nb\tc\rd')).toBe('a\\nb\\tc\\rd');
    expect(terminalText('a\nb\tc\rd\x1b')).toBe('a\nb\tc\\rd\\u001b');
  });

  it('is idempotent: escaped text has nothing left to escape', () => {
    const once = terminalLine('\x1b]0;title\x07');
    expect(terminalLine(once)).toBe(once);
  });
});
