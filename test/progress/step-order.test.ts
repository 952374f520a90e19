import { describe, expect, it } from 'vitest';
import { runOrder } from '../../src/progress/step-order.js';
import { node } from '../helpers/fixtures.js';

describe('runOrder (the terminal view lists steps as apply runs them)', () => {
  it('puts each step after what it depends on, not in address order', () => {
    const nodes = [
      node('container.app[m1]', 'create', ['image.app:1[m1]', 'network.n[m1]', 'machine.m1']),
      node('image.app:1[m1]', 'create', ['machine.m1']),
      node('machine.m1', 'create'),
      node('network.n[m1]', 'create', ['machine.m1']),
    ];
    expect(runOrder(nodes).map((n) => n.address)).toEqual(['machine.m1', 'image.app:1[m1]', 'network.n[m1]', 'container.app[m1]']);
  });

  it('keeps every node once, even when the edges form a cycle', () => {
    const nodes = [node('container.a[m1]', 'create', ['container.b[m1]']), node('container.b[m1]', 'create', ['container.a[m1]'])];
    expect(runOrder(nodes).map((n) => n.address)).toEqual(['container.b[m1]', 'container.a[m1]']);
  });
});
