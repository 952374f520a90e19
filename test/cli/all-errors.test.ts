// One run of the built CLI shows every problem in machines.yml: schema, cross-field and range errors together,
// in file order; with --json, validate, plan and apply print the same object.
import { describe, it, expect } from 'vitest';
import { mkdtempSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { mfile } from '../helpers/cli.js';

// Seven problems of seven kinds. proxy2 also depends on web, whose entry fails the schema: that reference
// must not be reported, as it would only echo web's own error.
const SEVEN = `version: 1
machines:
  m1:
    driver: local
  m2:
    driver: local
containers:
  web:
    image: nginx
    machine: m1
    privileged: "yes"
  api:
    image: nginx
    machine: m1
    enviroment: { A: b }
  worker:
    image: nginx
    machine: m1
    restart: alwyas
  db:
    image: postgres
    machine: m3
  cache:
    image: redis
    machine: m1
    depends_on: [dbb]
    ports: ["70000:80"]
  proxy:
    image: nginx
    machine: m1
    ports: ["8080:80"]
  proxy2:
    image: nginx
    machine: m1
    ports: ["8080:80"]
    depends_on: [web]
`;

const WANT = [
  'machines.yml:11:17: containers.web.privileged: must be true or false',
  "machines.yml:15:5: unknown key 'enviroment' in containers.api (did you mean 'environment'?)",
  "machines.yml:19:14: containers.worker.restart: 'alwyas' must be one of: no, always, on-failure[:N], unless-stopped (did you mean 'always'?)",
  "machines.yml:22:14: containers.db: unknown machine 'm3' (known: m1, m2)",
  "machines.yml:26:18: containers.cache: depends_on names unknown container 'dbb' (did you mean 'db'?)",
  "machines.yml:27:13: containers.cache.ports[0]: invalid port '70000:80': bad host port '70000'",
  'machines.yml:35:13: containers.proxy2: host port 8080/tcp on machine m1 is already published by containers.proxy',
];

function project(yml: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'mfile-all-errors-'));
  writeFileSync(path.join(dir, 'machines.yml'), yml);
  return dir;
}

describe('every error in one run', () => {
  it('validate prints schema, cross-field and range errors together, in file order', () => {
    const dir = project(SEVEN);
    const r = mfile(['validate', '-f', 'machines.yml'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr.trimEnd().split('\n')).toEqual(WANT);
  });

  it('validate --json, plan --json and apply --json print the same errors as JSON on stdout', () => {
    const dir = project(SEVEN);
    const want = WANT.map((l) => {
      const [, line, col, message] = /^machines\.yml:(\d+):(\d+): (.*)$/.exec(l)!;
      return { file: 'machines.yml', line: Number(line), col: Number(col), message };
    });
    for (const args of [['validate', '--json'], ['plan', '--json'], ['apply', '--json', '--auto-approve']]) {
      const r = mfile([...args, '-f', 'machines.yml'], { cwd: dir });
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr, args.join(' ')).toBe('');
      expect(JSON.parse(r.stdout), args.join(' ')).toEqual({ valid: false, errors: want });
    }
    expect(existsSync(path.join(dir, '.mfile'))).toBe(false);
  });

  it('a reference to an entry that failed the schema is not reported again', () => {
    const dir = project(`version: 1
machines:
  m1:
    driver: virtualbox
containers:
  db:
    image: postgres
    bogus: 1
  web:
    image: nginx
    machine: m1
    depends_on: [db]
    network_mode: "service:db"
`);
    const r = mfile(['validate', '-f', 'machines.yml'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr.trimEnd().split('\n')).toEqual([
      "machines.yml:4:13: machines.m1.driver: unknown driver 'virtualbox' (known drivers: amazonec2, digitalocean, generic, hetzner, local, none, qemu, sandbox)",
      "machines.yml:8:5: unknown key 'bogus' in containers.db",
    ]);
  });
});
