// The state folder also holds the keys: `mfile apply` refuses a .mfile that is a symlink, someone else's or
// writable by others, with one line naming it, before writing anything (lock, state, certificates).
import { chownSync, chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeNeeding, ROOT } from '../helpers/prerequisites.js';
import { ensureBuilt, mfile } from '../helpers/cli.js';

const YML = 'version: 1\nmachines:\n  m1: { driver: none, none: { url: "unix:///nonexistent/docker.sock" } }\n';
const made: string[] = [];

function project(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'mfile-unsafe-'));
  made.push(dir);
  writeFileSync(path.join(dir, 'machines.yml'), YML);
  return dir;
}

const cases: { name: string; why: RegExp; make: (dir: string) => string }[] = [
  {
    name: 'a symlink to another folder',
    why: /it is a symbolic link$/,
    make: (dir) => {
      mkdirSync(path.join(dir, 'elsewhere'), { mode: 0o700 });
      symlinkSync(path.join(dir, 'elsewhere'), path.join(dir, '.mfile'));
      return path.join(dir, 'elsewhere');
    },
  },
  {
    name: 'owned by another user',
    why: /it is owned by uid 65534, not by this user \(uid 0\)$/,
    make: (dir) => {
      mkdirSync(path.join(dir, '.mfile'), { mode: 0o700 });
      chownSync(path.join(dir, '.mfile'), 65534, 65534);
      return path.join(dir, '.mfile');
    },
  },
  {
    name: 'writable by others',
    why: /it is writable by group or others \(mode 0777\)$/,
    make: (dir) => {
      mkdirSync(path.join(dir, '.mfile'));
      chmodSync(path.join(dir, '.mfile'), 0o777);
      return path.join(dir, '.mfile');
    },
  },
];

describeNeeding([ROOT])('mfile apply with an unsafe .mfile', () => {
  beforeAll(() => ensureBuilt());
  afterAll(() => {
    for (const d of made) rmSync(d, { recursive: true, force: true });
  });

  for (const c of cases) {
    it(`refuses a .mfile ${c.name} and writes nothing into it`, () => {
      const dir = project();
      const inside = c.make(dir);
      const r = mfile(['apply', '-y', '-f', 'machines.yml'], { cwd: dir });
      expect(r.code).toBe(1);
      const lines = r.stderr.trim().split('\n');
      expect(lines, r.stderr).toHaveLength(1);
      expect(lines[0]).toContain(`refusing to write into ${path.join(dir, '.mfile')}: `);
      expect(lines[0]).toMatch(c.why);
      expect(readdirSync(inside)).toEqual([]);
    });
  }
});
