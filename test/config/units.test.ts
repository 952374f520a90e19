// Compose's value formats, one table each.
import { describe, expect, it } from 'vitest';
import { parseMountShort, parsePortShort } from '../../src/config/short-forms.js';
import { parseDuration, parseSize, shellSplit } from '../../src/config/units.js';
import { parseEnvFile } from '../../src/config/env-file.js';

describe('durations (nanoseconds)', () => {
  it.each([
    ['5s', 5e9],
    ['1m30s', 90e9],
    ['100ms', 1e8],
    ['1.5s', 1.5e9],
    ['2h', 7200e9],
    ['0', 0],
    ['5', undefined],
    ['5 sec', undefined],
    ['', undefined],
  ])('%s', (text, want) => expect(parseDuration(text)).toBe(want));
});

describe('sizes (bytes, powers of 1024)', () => {
  it.each([
    ['256m', 256 * 1024 ** 2],
    ['1g', 1024 ** 3],
    ['1GB', 1024 ** 3],
    ['512k', 512 * 1024],
    ['1.5g', 1.5 * 1024 ** 3],
    ['100b', 100],
    [1024, 1024],
    ['1024', 1024],
    ['1 gigabyte', undefined],
    ['-1', undefined],
  ] as const)('%s', (text, want) => expect(parseSize(text)).toBe(want));
});

describe('short ports', () => {
  it.each([
    ['80', [{ target: 80, protocol: 'tcp' }]],
    [80, [{ target: 80, protocol: 'tcp' }]],
    ['8080:80', [{ target: 80, published: '8080', protocol: 'tcp' }]],
    ['127.0.0.1:8080:80/udp', [{ target: 80, published: '8080', host_ip: '127.0.0.1', protocol: 'udp' }]],
    ['127.0.0.1::80', [{ target: 80, host_ip: '127.0.0.1', protocol: 'tcp' }]],
    ['[::1]:53:53/udp', [{ target: 53, published: '53', host_ip: '::1', protocol: 'udp' }]],
    ['8000-8010:80', [{ target: 80, published: '8000-8010', protocol: 'tcp' }]],
    ['3000-3001', [{ target: 3000, protocol: 'tcp' }, { target: 3001, protocol: 'tcp' }]],
    ['9000-9001:8000-8002', 'host and container port ranges must have the same length'],
    ['80/icmp', "unknown protocol 'icmp' (use tcp, udp or sctp)"],
    ['70000:80', "bad host port '70000'"],
  ] as const)('%s', (text, want) => expect(parsePortShort(text)).toEqual(want));
});

describe('short volumes', () => {
  it.each([
    ['data:/x:ro', { type: 'volume', source: 'data', target: '/x', read_only: true }],
    ['./dir:/x', { type: 'bind', source: './dir', target: '/x', read_only: false, bind: { create_host_path: true } }],
    ['/abs:/x:rw,rshared', { type: 'bind', source: '/abs', target: '/x', read_only: false, bind: { create_host_path: true, propagation: 'rshared' } }],
    ['data:/x:nocopy', { type: 'volume', source: 'data', target: '/x', read_only: false, volume: { nocopy: true } }],
    ['/cache', { type: 'volume', target: '/cache', read_only: false }],
    ['data:x', "container path 'x' must be absolute"],
    ['data:/x:fast', "unknown option 'fast' (use ro, rw or nocopy)"],
  ] as const)('%s', (text, want) => expect(parseMountShort(text)).toEqual(want));
});

describe('command strings', () => {
  it.each([
    ['nginx -g "daemon off;"', ['nginx', '-g', 'daemon off;']],
    ["sh -c 'echo $HOME'", ['sh', '-c', 'echo $HOME']],
    ['a\\ b c', ['a b', 'c']],
    ['echo ""', ['echo', '']],
    ['echo "unclosed', undefined],
  ])('%s', (text, want) => expect(shellSplit(text)).toEqual(want));
});

describe('env files', () => {
  it('reads KEY=value, export, quotes and comments, and names bad lines', () => {
    const text = '# c\nA=1\nexport B="two words"\nC=\'x # y\'\nD=plain # comment\n\nnot a line\n';
    expect(parseEnvFile(text)).toEqual({ vars: { A: '1', B: 'two words', C: 'x # y', D: 'plain' }, bad: [7], reserved: [], errors: [] });
  });
});
