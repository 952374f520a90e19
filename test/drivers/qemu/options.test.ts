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
    expect(() => qemuOptions(spec({ image: '/d', network: 'bridge' }), '/p')).toThrow('vm1: qemu.network "bridge" is not supported');
    expect(() => qemuOptions(spec({ image: 'ftp://x/y' }), '/p')).toThrow('only http(s) URLs and paths');
    expect(() => qemuOptions(spec({}), '/p')).toThrow('vm1: qemu.image is required');
  });

  it('parses sizes with and without units', () => {
    expect(parseSize('2g', 'm')).toBe(2 * 2 ** 30);
    expect(parseSize('512', 'm')).toBe(512 * 2 ** 20);
    expect(parseSize(20, 'g')).toBe(20 * 2 ** 30);
    expect(parseSize('1.5g', 'g')).toBeNull();
  });
});
