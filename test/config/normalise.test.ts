// Defaults and placement: what a minimal machines.yml turns into.
import { describe, expect, it } from 'vitest';
import { load } from './helpers.js';
import { builtinCatalog } from '../../src/drivers/catalog.js';
import { genericTraits } from '../../src/drivers/generic/traits.js';

describe('defaults', () => {
  it('fills machine, engine and TLS defaults, and names the project after the folder', async () => {
    const d = await load('version: 1\nmachines:\n  web-1:\n    driver: generic\n    generic: { host: 10.0.0.5, user: ubuntu, identity_file: keys/id }\n', {
      env: { HOME: '/home/me' },
    });
    expect(d.project).toBe('shop');
    expect(d.machines['web-1']).toEqual({
      name: 'web-1',
      driver: 'generic',
      driverOptions: { host: '10.0.0.5', port: 22, user: 'ubuntu', sudo: true, identity_file: expect.stringMatching(/\/shop\/keys\/id$/) },
      traits: genericTraits,
      engine: {
        install: 'auto', port: 2376, transport: 'tcp', labels: {}, registryMirrors: [], insecureRegistries: [], logOpts: {}, daemon: {}, uninstall: false,
      },
      tls: { enabled: true, san: [] },
    });
  });

  it('sanitises the folder name into a project name', async () => {
    const { project } = await import('./helpers.js');
    const { loadConfig } = await import('../../src/config/index.js');
    const dir = project({ 'machines.yml': 'version: 1\nmachines: { m: { driver: local } }\n' }, 'My Shop.v2');
    expect((await loadConfig({ file: `${dir}/machines.yml`, env: {} }, builtinCatalog())).project).toBe('myshopv2');
  });

  it('puts a container without machine on the only machine, with restart "no" and pull_policy missing', async () => {
    const d = await load('version: 1\nmachines: { m: { driver: local } }\ncontainers:\n  a: { image: x, pull_policy: if_not_present }\n  b: { image: x }\n');
    expect(d.containers.a).toMatchObject({ machines: ['m'], restart: 'no', pull_policy: 'missing' });
    expect(d.containers.b.pull_policy).toBe('missing');
  });

  it('casts a quoted "${var}" to the number the schema expects', async () => {
    const d = await load('version: 1\nvariables: { p: { default: "2222" } }\nmachines:\n  m:\n    driver: generic\n    generic: { host: h, port: "${p}" }\n');
    expect(d.machines.m.driverOptions.port).toBe(2222);
  });
});

describe('deploy.replicas', () => {
  const yaml = `version: 1
machines: { m: { driver: local } }
containers:
  worker:
    image: w
    ports: ["8000-8010:80"]
    deploy: { replicas: 3 }
  api:
    image: a
    depends_on: { worker: { condition: service_healthy } }
  gone:
    image: g
    deploy: { replicas: 0 }
  uses-gone:
    image: u
    depends_on: [gone]
`;

  it('makes NAME-1..NAME-N, and dependents depend on each replica', async () => {
    const d = await load(yaml);
    expect(Object.keys(d.containers).sort()).toEqual(['api', 'uses-gone', 'worker-1', 'worker-2', 'worker-3']);
    expect(d.containers['worker-2']).toMatchObject({ name: 'worker-2', image: 'w', replicas: 1, ports: [{ target: 80, published: '8000-8010', protocol: 'tcp' }] });
    expect(Object.keys(d.containers.api.depends_on)).toEqual(['worker-1', 'worker-2', 'worker-3']);
    expect(d.containers.api.depends_on['worker-3'].condition).toBe('service_healthy');
  });

  it('drops a container with replicas: 0 and the dependencies on it', async () => {
    const d = await load(yaml);
    expect(d.containers['uses-gone'].depends_on).toEqual({});
  });
});
