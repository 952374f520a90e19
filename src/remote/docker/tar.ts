// A minimal ustar writer for the few files mfile copies into a container (secrets). Directories first.
import { dirname } from 'node:path';

export interface TarEntry {
  /** Path inside the archive, without a leading slash. */
  path: string;
  content: Buffer;
  mode: number;
}

function header(name: string, size: number, mode: number, type: '0' | '5'): Buffer {
  const h = Buffer.alloc(512);
  const put = (s: string, off: number, len: number): void => void h.write(s.slice(0, len), off, 'utf8');
  const oct = (n: number, len: number): string => n.toString(8).padStart(len - 1, '0') + '\0';
  let prefix = '';
  if (name.length > 100) {
    const cut = name.lastIndexOf('/', 155);
    prefix = name.slice(0, cut);
    name = name.slice(cut + 1);
  }
  put(name, 0, 100);
  put(oct(mode & 0o7777, 8), 100, 8);
  put(oct(0, 8), 108, 8);
  put(oct(0, 8), 116, 8);
  put(oct(size, 12), 124, 12);
  put(oct(Math.floor(Date.now() / 1000), 12), 136, 12);
  put('        ', 148, 8);
  put(type, 156, 1);
  put('ustar\0', 257, 6);
  put('00', 263, 2);
  put(prefix, 345, 155);
  let sum = 0;
  for (const b of h) sum += b;
  put(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8);
  return h;
}

export function tarOf(entries: TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  const dirs = new Set<string>();
  for (const e of entries) {
    const chain: string[] = [];
    for (let d = dirname(e.path); d !== '.' && d !== '/' && !dirs.has(d); d = dirname(d)) chain.unshift(d);
    for (const d of chain) {
      dirs.add(d);
      parts.push(header(`${d}/`, 0, 0o755, '5'));
    }
    parts.push(header(e.path, e.content.length, e.mode, '0'), e.content, Buffer.alloc((512 - (e.content.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}
