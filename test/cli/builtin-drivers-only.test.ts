// The look at machines.yml's text that spares the plugin lookup a second parse: it may say "not proved" for a
// file of built-in drivers, never "only built-in" for a file that names a plugin or has a `drivers:` map.
import { describe, expect, it } from 'vitest';
import { namesOnlyBuiltinDrivers } from '../../src/cli/builtin-drivers-only.js';

const BUILTIN = new Set(['sandbox', 'generic', 'local']);

describe('namesOnlyBuiltinDrivers', () => {
  it.each([
    ['block entries', 'machines:\n  a:\n    driver: sandbox\n  b:\n    driver: generic\n'],
    ['flow entries and quotes', 'machines: { a: { driver: "sandbox" }, b: {driver: \'local\'} }\n'],
    ['other words holding "driver"', 'networks:\n  n: { driver_opts: { x: y } }\nmachines:\n  a: { driver: local }\n# docker-machine-driver\n'],
    ['the value on the next line', 'machines:\n  a:\n    driver:\n      sandbox\n'],
  ])('proves %s', (_, text) => {
    expect(namesOnlyBuiltinDrivers(text, BUILTIN)).toBe(true);
  });

  it.each([
    ['a plugin name', 'machines:\n  a: { driver: mycloud }\n'],
    ['a plugin beside built-ins', 'machines:\n  a: { driver: sandbox }\n  b:\n    driver: foo\n'],
    ['a quoted key', 'machines:\n  a: { "driver": "foo" }\n'],
    ['the drivers map', 'drivers:\n  foo: ./foo\nmachines:\n  a: { driver: sandbox }\n'],
    ['an alias', 'x-d: &d foo\nmachines:\n  a: { driver: *d }\n'],
    ['an anchored key', 'x-k: &k driver\nmachines:\n  a: { *k : foo }\n'],
    ['a tag', 'machines:\n  a: { driver: !!str foo }\n'],
    ['an escape that could spell the key', 'machines:\n  a: { "dri\\x76er": foo }\n'],
    ['a block scalar', 'machines:\n  a:\n    driver: |\n      foo\n'],
    ['a docker-machine driver', 'machines:\n  a: { driver: docker-machine:foo }\n'],
    ['a network driver (not proved, parsed instead)', 'networks:\n  n: { driver: bridge }\n'],
  ])('does not prove %s', (_, text) => {
    expect(namesOnlyBuiltinDrivers(text, BUILTIN)).toBe(false);
  });
});
