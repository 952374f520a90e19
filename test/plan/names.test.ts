import { describe, expect, it } from 'vitest';
import { engineName, containerEngineName, objectAddress, parseAddress, targetMatcher } from '../../src/plan/index.js';

describe('addresses', () => {
  it('round-trips object addresses, image refs with registries and tags included', () => {
    const a = objectAddress('image', 'registry.example.com:5000/team/app:1.2', 'web-1');
    expect(a).toBe('image.registry.example.com:5000/team/app:1.2[web-1]');
    expect(parseAddress(a)).toEqual({ kind: 'image', name: 'registry.example.com:5000/team/app:1.2', machine: 'web-1' });
    expect(parseAddress('machine.web-1')).toEqual({ kind: 'machine', name: 'web-1', machine: 'web-1' });
    expect(parseAddress('container.web[m1]#ffff00001111')).toEqual({ kind: 'container', name: 'web', machine: 'm1', instance: 'ffff00001111' });
    expect(parseAddress('bucket.x[m1]')).toBeNull();
    expect(parseAddress('container.web')).toBeNull();
  });

  it('names engine objects per the contract', () => {
    expect(engineName('shop', 'container', 'web')).toBe('shop-web');
    expect(engineName('shop', 'network', 'backend')).toBe('shop_backend');
    expect(engineName('shop', 'volume', 'data')).toBe('shop_data');
    expect(containerEngineName('shop', { name: 'web', container_name: 'frontend' })).toBe('frontend');
  });
});

describe('targetMatcher', () => {
  it.each([
    ['container.web[*]', 'container.web[m1]', true],
    ['container.web[*]', 'container.webapp[m1]', false],
    ['container.web', 'container.web[m2]', true],
    ['machine.*', 'machine.m1', true],
    ['machine.*', 'container.web[m1]', false],
    ['*[m1]', 'network.backend[m1]', true],
    ['container.web[m1]', 'container.web[m10]', false],
    ['image.nginx:1.27[m1]', 'image.nginx:1.27[m1]', true],
  ])('%s matches %s: %s', (pattern, address, expected) => {
    expect(targetMatcher(pattern)(address)).toBe(expected);
  });
});
