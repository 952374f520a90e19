// A generic host or user that starts with '-' would reach the system ssh client as an option
// (`-oProxyCommand=...` runs a local command): the config refuses it, with the file position, as written or
// substituted from a variable.
import { describe, expect, it } from 'vitest';
import { issues } from './helpers.js';

const MSG = "must not be empty or start with '-' (ssh would read it as an option)";

describe('generic ssh host and user names', () => {
  it('refuses a host, a user, a jump host and a jump user that start with -', async () => {
    const yaml = [
      'version: 1',
      'machines:',
      '  web:',
      '    driver: generic',
      "    generic: { host: '-oProxyCommand=touch /tmp/x', user: -oX=y }",
      '  db:',
      '    driver: generic',
      '    generic:',
      '      host: db.example.com',
      '      jump: { host: -J, user: -lroot }',
      '',
    ].join('\n');
    expect(await issues(yaml)).toEqual([
      `machines.yml:5:22: machines.web.generic.host: '-oProxyCommand=touch /tmp/x' ${MSG}`,
      `machines.yml:5:59: machines.web.generic.user: '-oX=y' ${MSG}`,
      `machines.yml:10:21: machines.db.generic.jump.host: '-J' ${MSG}`,
      `machines.yml:10:31: machines.db.generic.jump.user: '-lroot' ${MSG}`,
    ]);
  });

  it('refuses such a host when it comes from a variable', async () => {
    const yaml = 'version: 1\nvariables: { h: {} }\nmachines:\n  web: { driver: generic, generic: { host: "${h}" } }\n';
    expect(await issues(yaml, { vars: { h: '-oProxyCommand=id' } })).toEqual([
      `machines.yml:4:44: machines.web.generic.host: '-oProxyCommand=id' ${MSG}`,
    ]);
  });

  it('takes ordinary names', async () => {
    expect(await issues("version: 1\nmachines:\n  web: { driver: generic, generic: { host: 10.0.0.5, user: deploy-1, jump: { host: bastion } } }\n")).toEqual([]);
  });
});
