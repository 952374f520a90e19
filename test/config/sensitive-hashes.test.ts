// A sensitive value reaches config hashes (labels, the state, a saved plan's config digest) only through a slow
// salted digest: the hashes still follow the secret, but one sha256 over a guessed value cannot confirm it.
import { createHash, scryptSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/plan/canonical.js';
import { containerAttributes, engineAttributes } from '../../src/plan/attributes.js';
import { containerConfigHash, engineConfigHash } from '../../src/plan/hash.js';
import { SensitiveDigester } from '../../src/config/sensitive-digests.js';
import { load } from './helpers.js';

const yaml = `version: 1
project: shop
variables:
  password: { sensitive: true, default: hunter2 }
machines:
  m1:
    driver: sandbox
    engine: { labels: { token: "\${password}" } }
containers:
  web:
    machine: m1
    image: nginx:1.27
    environment:
      PASSWORD: \${password}
      MODE: prod
`;

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

describe('sensitive values in config hashes', () => {
  it('follow the secret: the same value gives the same hashes, another value other ones', async () => {
    const a = await load(yaml);
    const again = await load(yaml);
    const b = await load(yaml, { vars: { password: 'hunter3' } });
    const hash = (d: typeof a) => containerConfigHash(d.containers.web, d.project, d.sensitiveDigests);
    expect(hash(again)).toBe(hash(a));
    expect(hash(b)).not.toBe(hash(a));
    expect(engineConfigHash(b.machines.m1, b.sensitiveDigests)).not.toBe(engineConfigHash(a.machines.m1, a.sensitiveDigests));
    // A saved plan made with one secret is stale for another.
    expect(again.configDigest).toBe(a.configDigest);
    expect(b.configDigest).not.toBe(a.configDigest);
  });

  it('cannot be confirmed by hashing a guessed value in clear', async () => {
    const d = await load(yaml);
    const stamped = containerConfigHash(d.containers.web, d.project, d.sensitiveDigests);
    // What an attacker holding machines.yml and the label would compute for the guess "hunter2".
    const guess = sha256(`{"kind":"container","project":"shop","spec":${canonicalJson(containerAttributes(d.containers.web))}}`);
    expect(guess).toBe(containerConfigHash(d.containers.web, d.project));
    expect(stamped).not.toBe(guess);
    expect(engineConfigHash(d.machines.m1, d.sensitiveDigests)).not.toBe(sha256(canonicalJson(engineAttributes(d.machines.m1))));
    expect(d.configDigest).not.toBe(sha256(`${yaml}\npassword=hunter2`));
  });

  it('digests each value with the project as salt, never as a plain sha256', async () => {
    const d = await load(yaml);
    const other = await load(yaml.replace('project: shop', 'project: other'));
    const [[value, digest]] = d.sensitiveDigests!;
    expect(value).toBe('hunter2');
    expect(digest).toMatch(/^[0-9a-f]{64}$/);
    expect(digest).not.toBe(sha256('hunter2'));
    expect(other.sensitiveDigests![0][1]).not.toBe(digest);
  });

  it('keep the digest formula: scrypt of the value salted with the project, however early it was started', async () => {
    const scrypt = (value: string, project: string) =>
      scryptSync(value, `mfile config hash\0${project}`, 32, { N: 1 << 14, r: 8, p: 1, maxmem: 64 * 1024 * 1024 }).toString('hex');
    const d = await load(yaml);
    expect(d.sensitiveDigests).toEqual([['hunter2', scrypt('hunter2', 'shop')]]);
    // Started under one project, asked under another (the project key failed its check): salted by the one asked.
    const digester = new SensitiveDigester('first');
    digester.start(['hunter2']);
    expect(await digester.digests(['hunter2', 'later', 'hunter2', ''], 'second')).toEqual([
      ['hunter2', scrypt('hunter2', 'second')],
      ['later', scrypt('later', 'second')],
    ]);
  });

  it('leave files without sensitive values hashed as before', async () => {
    const plainYaml = yaml.replace('sensitive: true, ', '');
    const d = await load(plainYaml);
    expect(d.sensitiveDigests).toEqual([]);
    expect(d.configDigest).toBe(sha256(`${plainYaml}\npassword=hunter2`)); // the formula the test above checks against
    expect(containerConfigHash(d.containers.web, d.project, d.sensitiveDigests)).toBe(containerConfigHash(d.containers.web, d.project));
  });
});
