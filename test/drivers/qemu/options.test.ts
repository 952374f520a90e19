// The qemu block as the driver reads it: defaults, sizes, checksum rules, forwards; one-line errors naming
// the machine and the key.
import { homedir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { parseSize, qemuOptions } from '../../../src/drivers/qemu/options.js';
import { qemuTraits } from '../../../src/drivers/qemu/traits.js';
import type { MachineSpec } from '../../../src/model/index.js';
import { engineSpec } from '../../helpers/sandbox.js';

const spec = (driverOptions: Record<string, unknown>): MachineSpec => ({
  name: 'vm1',
  driver: 'qemu',
  driverOptions,
  traits: qemuTraits,
  engine: engineSpec(),
  tls: { enabled: true, san: [] },
});
const SHA256 = 'sha256:' + 'ab'.repeat(32);

describe('qemuOptions', () => {
  it('fills the defaults and resolves a relative image path against the config folder', () => {
    expect(qemuOptions(spec({ image: 'images/debian.qcow2' }), '/proj')).toEqual({
      image: '/proj/images/debian.qcow2',
      isUrl: false,
      checksum: undefined,
      cpus: 2,
      memoryMiB: 2048,
      diskBytes: 20 * 2 ** 30,
      network: 'user',
      accel: 'auto',
      forwards: [],
    });
    expect(qemuOptions(spec({ image: '~/img.qcow2' }), '/proj').image).toBe(`${homedir()}/img.qcow2`);
  });

  it('reads sizes, CPUs, accel, forwards and a URL with its checksum', () => {
    const o = qemuOptions(
      spec({ image: 'https://example.org/d.qcow2', checksum: SHA256.toUpperCase().replace('SHA256', 'sha256'), cpus: 4, memory: '1536m', disk_size: 30, accel: 'tcg', forward: ['18080:8080'] }),
      '/proj',
    );
    expect(o).toMatchObject({ isUrl: true, cpus: 4, memoryMiB: 1536, diskBytes: 30 * 2 ** 30, accel: 'tcg', forwards: [{ hostPort: 18080, guestPort: 8080 }] });
    expect(o.checksum).toEqual({ algorithm: 'sha256', hex: 'ab'.repeat(32) });
  });

  it('refuses a URL without checksum, a malformed checksum, bad sizes and ports', () => {
    expect(() => qemuOptions(spec({ image: 'https://example.org/d.qcow2' }), '/p')).toThrow('vm1: qemu.checksum is required when qemu.image is a URL');
    expect(() => qemuOptions(spec({ image: '/d', checksum: 'sha256:abc' }), '/p')).toThrow('vm1: qemu.checksum "sha256:abc" must be sha256:<64 hex digits>');
    expect(() => qemuOptions(spec({ image: '/d', checksum: 'md5:' + 'a'.repeat(32) }), '/p')).toThrow(/must be sha256/);
    expect(() => qemuOptions(spec({ image: '/d', memory: '64m' }), '/p')).toThrow('vm1: qemu.memory must be a size of at least 128m');
    expect(() => qemuOptions(spec({ image: '/d', disk_size: 'big' }), '/p')).toThrow('vm1: qemu.disk_size must be a size');
    expect(() => qemuOptions(spec({ image: '/d', forward: ['70000:80'] }), '/p')).toThrow('vm1: qemu.forward: host port 70000 must be 1-65535');
    expect(() => qemuOptions(spec({ image: '/d', network: 'tap' }), '/p')).toThrow('vm1: qemu.network "tap" is not supported (user or bridge)');
    expect(() => qemuOptions(spec({ image: 'ftp://x/y' }), '/p')).toThrow('only http(s) URLs and paths');
    expect(() => qemuOptions(spec({}), '/p')).toThrow('vm1: qemu.image is required');
  });

  it('network: bridge takes the sandbox default subnet, or a given /24 and a fixed address in it', () => {
    expect(qemuOptions(spec({ image: '/d', network: 'bridge' }), '/p').bridge).toEqual({ subnet: '10.213.0.0/24', prefix: '10.213.0' });
    expect(qemuOptions(spec({ image: '/d', network: 'bridge', subnet: '10.215.10.0/24', ip: '10.215.10.7' }), '/p')).toMatchObject({
      network: 'bridge',
      bridge: { subnet: '10.215.10.0/24', prefix: '10.215.10', ip: '10.215.10.7' },
      forwards: [],
    });
    expect(qemuOptions(spec({ image: '/d' }), '/p').bridge).toBeUndefined();
  });

  it('refuses a bridge address outside its subnet, and keys of the other network kind', () => {
    const b = (o: Record<string, unknown>) => () => qemuOptions(spec({ image: '/d', network: 'bridge', ...o }), '/p');
    expect(b({ subnet: '10.215.10.0/16' })).toThrow('vm1: qemu.subnet must be a /24 like 10.213.0.0/24, got "10.215.10.0/16"');
    expect(b({ subnet: '10.215.10.0/24', ip: '10.215.11.7' })).toThrow('vm1: qemu.ip 10.215.11.7 is not a host address of 10.215.10.0/24 (.2 to .254)');
    expect(b({ ip: '10.213.0.1' })).toThrow('vm1: qemu.ip 10.213.0.1 is not a host address');
    expect(b({ forward: ['8080:80'] })).toThrow('vm1: qemu.forward applies to network: user only');
    expect(() => qemuOptions(spec({ image: '/d', ip: '10.213.0.9' }), '/p')).toThrow('vm1: qemu.subnet and qemu.ip apply to network: bridge only');
  });

  it('parses sizes with and without units', () => {
    expect(parseSize('2g', 'm')).toBe(2 * 2 ** 30);
    expect(parseSize('512', 'm')).toBe(512 * 2 ** 20);
    expect(parseSize(20, 'g')).toBe(20 * 2 ** 30);
    expect(parseSize('1.5g', 'g')).toBeNull();
  });
});
