// Which container a day-2 verb means: NAME or NAME[MACHINE], and the choices when a name runs on several machines.
import { describe, expect, it } from 'vitest';
import { parseSelector, pickOne, select, type LiveContainer } from '../../src/cli/project-containers.js';
import { parseSince } from '../../src/cli/verbs/logs.js';

const c = (name: string, machine: string): LiveContainer => ({ name, machine, id: `${name}-${machine}` }) as LiveContainer;
const list = [c('db', 'm1'), c('web', 'm1'), c('web', 'm2')];

describe('container selectors', () => {
  it('reads NAME and NAME[MACHINE], and refuses anything else', () => {
    expect(parseSelector('web')).toEqual({ name: 'web', machine: undefined });
    expect(parseSelector('web[m2]')).toEqual({ name: 'web', machine: 'm2' });
    expect(() => parseSelector('web[m2')).toThrow('expected NAME or NAME[MACHINE], got "web[m2"');
  });

  it('a name alone picks the container when it runs on one machine', () => {
    expect(pickOne(list, parseSelector('db')).id).toBe('db-m1');
    expect(pickOne(list, parseSelector('web[m2]')).id).toBe('web-m2');
  });

  it('a name on several machines asks for NAME[MACHINE] and lists the choices', () => {
    expect(() => pickOne(list, parseSelector('web'))).toThrow('container web runs on 2 machines: name one as NAME[MACHINE] or with --machine (web[m1], web[m2])');
  });

  it('an unknown container is named with what the engines hold', () => {
    expect(() => select(list, [parseSelector('api'), parseSelector('web[m3]')])).toThrow('no container api, web[m3] on the engines (found: db[m1], web[m1], web[m2])');
    expect(select(list, []).length).toBe(3);
  });
});

describe('logs --since', () => {
  const now = Date.parse('2026-12-02T05:00:00Z');
  it("takes Docker's forms: UNIX seconds, a timestamp, a duration back from now", () => {
    expect(parseSince('1700000000', now)).toBe(1700000000);
    expect(parseSince('2026-12-02T04:00:00Z', now)).toBe(now / 1000 - 3600);
    expect(parseSince('10m', now)).toBe(now / 1000 - 600);
    expect(() => parseSince('soon', now)).toThrow('got "soon"');
  });
});
