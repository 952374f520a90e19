// The swarm parts of machines.yml: roles, services with deploy, swarm secrets and configs (named by content),
// and the checks that name FILE:LINE:COL.
import { describe, expect, it } from 'vitest';
import { issues, load } from './helpers.js';

const MACHINES = `version: 1
machines:
  m1: { driver: local, swarm: { role: manager } }
  m2: { driver: sandbox, swarm: { role: worker } }
`;

const FULL = `${MACHINES}swarm: { default_addr_pool: [10.30.0.0/16], subnet_size: 26 }
networks:
  back: { driver: overlay, attachable: true }
secrets:
  token: { file: ./token.txt }
configs:
  site: { file: ./site.conf }
services:
  web:
    image: nginx:1.27
    ports: [{ target: 80, published: 8080, mode: host }]
    networks: [back]
    secrets: [token]
    configs: [site]
    deploy:
      replicas: 3
      endpoint_mode: dnsrr
      placement: { constraints: [node.role == worker], preferences: [{ spread: node.labels.zone }], max_replicas_per_node: 1 }
      resources: { limits: { cpus: "0.5", memory: 64m }, reservations: { memory: 32m } }
      restart_policy: { condition: on-failure, delay: 2s, max_attempts: 3 }
      update_config: { parallelism: 1, delay: 1s, failure_action: rollback, monitor: 5s, order: start-first }
      labels: { tier: front }
`;

describe('swarm in machines.yml', () => {
  it('normalises roles, the address pool, a service with every deploy key, and configs mounted at /NAME', async () => {
    const d = await load(FULL, {}, { 'token.txt': 'hunter2', 'site.conf': 'listen 80;' });
    const s = d.swarm!;
    expect(s.roles).toEqual([{ machine: 'm1', role: 'manager' }, { machine: 'm2', role: 'worker' }]);
    expect(s.defaultAddrPool).toEqual(['10.30.0.0/16']);
    expect(s.subnetSize).toBe(26);
    const web = s.services.web;
    expect(web.ports).toEqual([{ target: 80, published: '8080', protocol: 'tcp', mode: 'host' }]);
    expect(web.secrets).toEqual([{ source: 'token', target: '/run/secrets/token', mode: 0o444 }]);
    expect(web.configs).toEqual([{ source: 'site', target: '/site', mode: 0o444 }]);
    expect(web.deploy).toEqual({
      mode: 'replicated',
      replicas: 3,
      endpoint_mode: 'dnsrr',
      labels: { tier: 'front' },
      placement: { constraints: ['node.role == worker'], preferences: ['node.labels.zone'], max_replicas_per_node: 1 },
      resources: { limits: { cpus: 0.5, memory: 64 * 1024 * 1024 }, reservations: { memory: 32 * 1024 * 1024 } },
      restart_policy: { condition: 'on-failure', delay: 2e9, max_attempts: 3 },
      update_config: { parallelism: 1, delay: 1e9, failure_action: 'rollback', monitor: 5e9, order: 'start-first' },
    });
  });

  it('digests secret and config files by content: a new content gives a new digest; the secret itself is nowhere in Desired', async () => {
    const a = await load(FULL, {}, { 'token.txt': 'hunter2', 'site.conf': 'listen 80;' });
    const b = await load(FULL, {}, { 'token.txt': 'hunter3', 'site.conf': 'listen 81;' });
    expect(a.swarm!.secretDigests.token).toMatch(/^[0-9a-f]{32}$/);
    expect(b.swarm!.secretDigests.token).not.toBe(a.swarm!.secretDigests.token);
    expect(b.swarm!.configs.site.digest).not.toBe(a.swarm!.configs.site.digest);
    expect(JSON.stringify({ ...a, drivers: undefined })).not.toContain('hunter2');
  });

  it('validates without the secret files (they are kept out of git): no digest, no error', async () => {
    const d = await load(FULL);
    expect(d.swarm!.secretDigests.token).toBeUndefined();
    expect(d.swarm!.configs.site.digest).toBeUndefined();
  });

  it('a file without any swarm key has no swarm part', async () => {
    expect((await load('version: 1\nmachines:\n  m1: { driver: local }\n')).swarm).toBeUndefined();
  });

  it.each([
    {
      name: 'services without a manager',
      yaml: 'version: 1\nmachines:\n  m1: { driver: local }\nservices:\n  web: { image: x }\n',
      want: ['machines.yml:4:1: services: these are Swarm services and no machine has swarm: { role: manager }; give one that role, or move each service under containers to run it on named machines'],
    },
    {
      name: 'only workers',
      yaml: 'version: 1\nmachines:\n  m1: { driver: local, swarm: { role: worker } }\n',
      want: ['machines.yml:3:39: swarm: no machine has swarm: { role: manager }; a swarm needs at least one manager'],
    },
    {
      name: 'a role that is not one',
      yaml: 'version: 1\nmachines:\n  m1: { driver: local, swarm: { role: boss } }\n',
      want: ["machines.yml:3:39: machines.m1.swarm.role: must be one of: manager, worker"],
    },
    {
      name: 'a bridge network on a service, and an unknown one',
      yaml: `${MACHINES}networks:\n  b: {}\nservices:\n  web: { image: x, networks: [b, nope] }\n`,
      want: [
        "machines.yml:8:31: services.web: network 'b' must have driver: overlay to be used by a service",
        "machines.yml:8:34: services.web: unknown network 'nope' (declare it under networks with driver: overlay)",
      ],
    },
    {
      name: 'an undeclared secret and config',
      yaml: `${MACHINES}services:\n  web: { image: x, secrets: [s], configs: [c] }\n`,
      want: [
        "machines.yml:6:30: services.web: unknown secret 's' (declare it under secrets)",
        "machines.yml:6:44: services.web: unknown config 'c' (declare it under configs)",
      ],
    },
    {
      name: 'a global service with replicas, and a rollback that would roll back',
      yaml: `${MACHINES}services:\n  web:\n    image: x\n    deploy:\n      mode: global\n      replicas: 2\n      rollback_config: { failure_action: rollback }\n`,
      want: [
        'machines.yml:10:17: services.web.deploy.replicas: a global service runs one task per node; remove replicas',
        'machines.yml:11:42: services.web.deploy.rollback_config.failure_action: a rollback cannot itself roll back (use pause or continue)',
      ],
    },
    {
      name: 'an address pool that is no CIDR',
      yaml: `${MACHINES}swarm: { default_addr_pool: [10.0.0.0] }\n`,
      want: ["machines.yml:5:30: swarm.default_addr_pool[0]: '10.0.0.0' must be a CIDR like 10.20.0.0/16"],
    },
  ])('$name', async ({ yaml, want }) => {
    expect(await issues(yaml)).toEqual(want);
  });
});
