// machines.yml's bytes as text: valid UTF-8 without control characters, or a positioned issue saying where not.
import type { IssueList } from './issues.js';

/** Byte offset of the first byte that is not part of valid UTF-8, or -1. */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i];
    let n = 0;
    let min = 0;
    if (b < 0x80) n = 0;
    else if (b >= 0xc2 && b <= 0xdf) (n = 1), (min = 0x80);
    else if (b >= 0xe0 && b <= 0xef) (n = 2), (min = 0x800);
    else if (b >= 0xf0 && b <= 0xf4) (n = 3), (min = 0x10000);
    else return i;
    if (n && i + n >= bytes.length) return i;
    let cp = n === 0 ? b : b & (0x3f >> n);
    for (let k = 1; k <= n; k++) {
      const c = bytes[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += n + 1;
  }
  return -1;
}

/**
 * Offset of the first C0 control byte other than tab, LF and CR (or DEL), or -1. YAML does not allow them,
 * yet the parser would pass a NUL through into an image name or an environment value.
 */
function firstControlByte(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if ((b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d) || b === 0x7f) return i;
  }
  return -1;
}

function bytePos(bytes: Uint8Array, offset: number): { line: number; col: number } {
  let line = 1;
  let start = 0;
  for (let i = 0; i < offset; i++) if (bytes[i] === 0x0a) (line++, (start = i + 1));
  return { line, col: offset - start + 1 };
}

/** The file as text, or undefined when it is not valid UTF-8 or holds a control character (reported). */
export function decodeYaml(file: string, bytes: Uint8Array, issues: IssueList): string | undefined {
  // The native decoder checks a valid file in a few milliseconds; the byte scans below only place a problem.
  let text: string | undefined;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes); // strips a byte order mark
  } catch {
    const bad = firstInvalidUtf8(bytes);
    if (bad >= 0) {
      issues.add({ file, ...bytePos(bytes, bad), message: 'file is not valid UTF-8 text' });
      return undefined;
    }
  }
  // eslint-disable-next-line no-control-regex
  if (text === undefined || /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(text)) {
    const ctl = firstControlByte(bytes);
    if (ctl >= 0) {
      const code = `U+${bytes[ctl].toString(16).toUpperCase().padStart(4, '0')}`;
      issues.add({ file, ...bytePos(bytes, ctl), message: `control character ${code} is not allowed in YAML text` });
      return undefined;
    }
  }
  return text ?? new TextDecoder('utf-8').decode(bytes);
}
