import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { statePathFor } from '../../src/state/index.js';

describe('statePathFor', () => {
  it('puts the state in .mfile beside the config', () => {
    expect(statePathFor('/srv/shop/machines.yml')).toBe('/srv/shop/.mfile/state.json');
  });
  it('resolves a relative config against the working folder', () => {
    expect(statePathFor('machines.yml')).toBe(path.join(process.cwd(), '.mfile', 'state.json'));
  });
  it('uses --state when given', () => {
    expect(statePathFor('/srv/shop/machines.yml', 'other/s.json')).toBe(path.resolve('other/s.json'));
  });
});
