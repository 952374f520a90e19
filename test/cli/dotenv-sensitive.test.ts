// A Compose-style project: machines.yml with a .env beside it. The built CLI, run from the project folder, takes
// TZ and the password from .env, and the password (declared sensitive) never shows in plan text or --json.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, mfile } from '../helpers/cli.js';

const SECRET = 'Zq9-$ecr3t "pw" #1';

const CONFIG = `version: 1
variables:
  db_password: { sensitive: true }
machines:
  m1: { driver: local }
containers:
  db:
    machine: m1
    image: postgres:16
    environment:
      TZ: \${TZ}
      POSTGRES_PASSWORD: \${db_password}
    healthcheck:
      test: ["CMD-SHELL", "pg_isready -h localhost -p $$(cat /run/port)"]
`;

// As a Compose project keeps it: a comment, export, quotes (single: taken literally), an inline comment.
const DOTENV = `# settings for this host\nexport TZ=Europe/Paris # local time\ndb_password='${SECRET}'\n`;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = path.join(dir, n);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

describe('a project with a .env', () => {
  let dir: string;
  beforeAll(() => {
    ensureBuilt();
    dir = path.join(mkdtempSync(path.join(tmpdir(), 'mfile-dotenv-')), 'shop');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'machines.yml'), CONFIG);
    writeFileSync(path.join(dir, '.env'), DOTENV);
  });

  it('validates from the project folder with values from .env', () => {
    const r = mfile(['validate'], { cwd: dir, env: { TZ: undefined } });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it.each([
    ['plan text', ['plan', '--refresh=false']],
    ['plan --json', ['plan', '--refresh=false', '--json']],
  ])('%s shows TZ and $$ as Compose does, and never the password', (_name, args) => {
    // TZ unset in the shell, so .env gives it (the shell environment would win over .env).
    const r = mfile(args, { cwd: dir, env: { TZ: undefined } });
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.code).toBe(0);
    const out = r.stdout + r.stderr;
    expect(out).toContain('Europe/Paris');
    expect(out).toContain('$(cat /run/port)');
    expect(out).not.toContain('$$(cat');
    expect(out).toContain('(sensitive)');
    expect(out).not.toContain('ecr3t');
    for (const f of files(dir).filter((p) => path.basename(p) !== '.env')) expect(readFileSync(f, 'utf8')).not.toContain('ecr3t');
  });
});
