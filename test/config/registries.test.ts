// The registries block: the CA goes to the provisioned machines that pull from the registry, the password is
// sensitive however it is written, and mistakes are reported at their line.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { engineAttributes } from '../../src/plan/index.js';
import { issues, load } from './helpers.js';

const CA = readFileSync(join(dirname(fileURLToPath(import.meta.url)), '../fixtures/registry-ca.crt'), 'utf8');

const yaml = (registry: string, extra = ''): string => `version: 1
variables:
  pw: { sensitive: true }
machines:
  g1: { driver: generic, generic: { host: 192.0.2.10 } }
  g2: { driver: generic, generic: { host: 192.0.2.11 } }
  here: { driver: local }
registries:
${registry}
containers:
  app:
    machines: [g1, here]
    image: registry.example.com:5000/team/app:1
    pull_policy: every_12h
${extra}`;

describe('registries', () => {
  it('puts the CA on each provisioned machine that pulls from the registry, and nowhere else', async () => {
    const d = await load(yaml('  priv: { address: "registry.example.com:5000", ca_file: ca.crt, username: bob, password: "${pw}" }'), { vars: { pw: 's3cret-pw' } }, { 'ca.crt': CA });
    expect(d.registries?.priv).toMatchObject({ address: 'registry.example.com:5000', username: 'bob', password: 's3cret-pw', ca: CA });
    expect(d.machines.g1.engine.registryCas).toEqual({ 'registry.example.com:5000': CA });
    // g2 runs nothing from it; the local engine is not mfile's to write to.
    expect(d.machines.g2.engine.registryCas).toBeUndefined();
    expect(d.machines.here.engine.registryCas).toBeUndefined();
    // The plan shows the CA by its digest, never the PEM.
    expect(JSON.stringify(engineAttributes(d.machines.g1))).toMatch(/"registry_cas":\{"registry.example.com:5000":"sha256:[0-9a-f]{16}"\}/);
    expect(d.containers.app.pull_policy).toBe('every_12h');
  });

  it('a mirror goes to every provisioned machine, in registry-mirrors with its CA', async () => {
    const d = await load(yaml('  hub: { address: "mirror.example.com", ca_file: ca.crt, mirror: true }'), {}, { 'ca.crt': CA });
    for (const m of ['g1', 'g2']) {
      expect(d.machines[m].engine.registryMirrors).toEqual(['https://mirror.example.com']);
      expect(d.machines[m].engine.registryCas).toEqual({ 'mirror.example.com': CA });
    }
  });

  it('a password written literally or from a plain variable is still sensitive', async () => {
    const literal = await load(yaml('  priv: { address: "registry.example.com:5000", username: bob, password: literal-pw-123 }'));
    expect(literal.sensitiveValues).toContain('literal-pw-123');
    expect(literal.sensitiveDigests?.map(([v]) => v)).toContain('literal-pw-123');
  });

  it('reports a missing CA file, a half-given login, a bad address and a bad pull_policy at their lines', async () => {
    const out = await issues(
      yaml('  priv: { address: "https://registry.example.com", ca_file: nope.crt, username: bob }').replace('pull_policy: every_12h', 'pull_policy: every_day'),
    );
    expect(out.join('\n')).toMatch(/machines\.yml:\d+:\d+: .*address.*must be HOST or HOST:PORT/);
    expect(out.join('\n')).toMatch(/pull_policy: 'every_day' must be one of: always, missing, never, build, daily, weekly, every_<duration>, if_not_present/);
    const out2 = await issues(yaml('  priv: { address: "registry.example.com:5000", ca_file: nope.crt, username: bob }'));
    expect(out2).toContainEqual(expect.stringMatching(/^machines\.yml:\d+:\d+: registries\.priv\.ca_file: cannot read nope\.crt \(ENOENT\)$/));
    expect(out2).toContainEqual(expect.stringMatching(/^machines\.yml:\d+:\d+: registries\.priv: give both username and password, or neither$/));
  });

  it('build.push needs a declared registry that the image is named in', async () => {
    const extra = (push: string, image: string): string => `  built:\n    machines: [g1, g2]\n    image: ${image}\n    build: { context: ., push: ${push} }\n`;
    const reg = '  priv: { address: "registry.example.com:5000" }';
    const ok = await load(yaml(reg, extra('priv', 'registry.example.com:5000/team/built:1')));
    expect(ok.containers.built.build?.push).toBe('priv');
    expect(ok.machines.g2.engine.registryCas).toBeUndefined();
    expect(await issues(yaml(reg, extra('other', 'registry.example.com:5000/team/built:1')))).toContainEqual(
      expect.stringMatching(/containers\.built\.build\.push: registry other is not declared under registries$/),
    );
    expect(await issues(yaml(reg, extra('priv', 'team/built:1')))).toContainEqual(
      expect.stringMatching(/containers\.built\.build\.push: image team\/built:1 must be named in registry priv: registry\.example\.com:5000\/NAME:TAG$/),
    );
  });
});
