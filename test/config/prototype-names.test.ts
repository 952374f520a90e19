// Names that JavaScript objects already carry (constructor, toString, __proto__) are plain names in
// machines.yml: a reference to one is undefined unless declared, and `__proto__` as a key is refused where it
// is written instead of vanishing.
import { describe, expect, it } from 'vitest';
import { HEAD, issues, load } from './helpers.js';

const web = (extra: string): string => `${HEAD}containers:\n  web:\n    machine: m1\n    image: nginx:1.27\n${extra}`;

describe('variables named like Object.prototype members', () => {
  it.each(['constructor', 'toString', '__proto__', 'hasOwnProperty'])('${%s} is an undefined variable, not the prototype', async (name) => {
    const found = await issues(web(`    environment:\n      A: "\${${name}}"\n`));
    expect(found).toEqual([`machines.yml:10:10: undefined variable '${name}': pass --var ${name}=VALUE, --var-file FILE or --var-stdin ${name}, set MFILE_VAR_${name} or ${name} in the environment, or add ${name}=VALUE to .env, or declare it under variables with a default`]);
  });

  it('${env:toString} is an unset environment variable', async () => {
    const found = await issues(web('    environment:\n      A: "${env:toString}"\n'));
    expect(found).toEqual([`machines.yml:10:10: environment variable 'toString' is not set (used as \${env:toString})`]);
  });

  it('an environment entry without a value does not take Object.prototype.constructor', async () => {
    const d = await load(web('    environment: [constructor, toString]\n'));
    expect(d.containers.web.environment).toEqual({});
  });

  it('a declared variable named constructor takes its own value', async () => {
    const d = await load(`version: 1\nvariables:\n  constructor: { default: c1 }\nmachines:\n  m1: { driver: local }\ncontainers:\n  web:\n    machine: m1\n    image: "nginx:\${constructor}"\n`);
    expect(d.containers.web.image).toBe('nginx:c1');
    const v = await load(`version: 1\nvariables:\n  toString: {}\nmachines:\n  m1: { driver: local }\ncontainers:\n  web:\n    machine: m1\n    image: "nginx:\${toString}"\n`, { vars: { toString: 't2' } });
    expect(v.containers.web.image).toBe('nginx:t2');
  });
});

describe('__proto__ as a key', () => {
  it('is refused in environment and labels maps, with the position of the key', async () => {
    const found = await issues(web('    environment:\n      __proto__: x\n    labels:\n      __proto__: y\n'));
    expect(found).toEqual([
      "machines.yml:10:7: '__proto__' cannot be used as a key: it names JavaScript's object prototype; rename it",
      "machines.yml:12:7: '__proto__' cannot be used as a key: it names JavaScript's object prototype; rename it",
    ]);
  });

  it('is refused in the list form and in an env_file', async () => {
    const found = await issues(web('    environment: ["__proto__=x"]\n    env_file: app.env\n'), {}, { 'app.env': 'A=1\n__proto__=2\n' });
    expect(found).toEqual([
      "machines.yml:9:19: '__proto__' cannot be used as a name: it names JavaScript's object prototype; rename it",
      "machines.yml:10:15: containers.web.env_file: app.env, line 2: '__proto__' cannot be used as a variable name: it names JavaScript's object prototype; rename it",
    ]);
  });

  it('is refused as a variable name', async () => {
    const found = await issues(`version: 1\nvariables:\n  __proto__: { default: x }\nmachines:\n  m1: { driver: local }\n`);
    expect(found).toContain("machines.yml:3:3: '__proto__' cannot be used as a key: it names JavaScript's object prototype; rename it");
  });
});
