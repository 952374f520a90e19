import { expect, it } from 'vitest';
import { cidrHolding, ipv4Range } from '../../src/model/index.js';

const at = (a: number, b: number, c: number, d: number): number => a * 2 ** 24 + (b << 16) + (c << 8) + d;

it('ranges: a CIDR spans its block, a bare address is itself, anything else is no range', () => {
  expect(ipv4Range('10.213.97.0/24')).toEqual([at(10, 213, 97, 0), at(10, 213, 97, 255)]);
  expect(ipv4Range('10.213.97.130/25')).toEqual([at(10, 213, 97, 128), at(10, 213, 97, 255)]);
  expect(ipv4Range('192.168.1.7')).toEqual([at(192, 168, 1, 7), at(192, 168, 1, 7)]);
  expect(ipv4Range('255.255.255.255/0')).toEqual([0, at(255, 255, 255, 255)]);
  for (const bad of ['10.0.0.256', '10.0.0.1/33', '10.0.0', 'example.com', '10.0.0.1/x']) expect(ipv4Range(bad), bad).toBeUndefined();
});

it('the CIDR holding an address: the first that does, none when it is outside all or not an address', () => {
  expect(cidrHolding('10.213.97.12', ['10.200.0.0/16', '10.213.96.0/22'])).toBe('10.213.96.0/22');
  expect(cidrHolding('10.213.100.1', ['10.213.96.0/22'])).toBeUndefined();
  expect(cidrHolding('10.213.99.255', ['10.213.96.0/22'])).toBe('10.213.96.0/22');
  expect(cidrHolding('db.internal', ['10.0.0.0/8'])).toBeUndefined();
  expect(cidrHolding('10.1.2.3', [])).toBeUndefined();
});
