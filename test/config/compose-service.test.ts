// A real Compose file's services, pasted under containers, validate unchanged and keep their meaning.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig } from '../../src/config/index.js';
import type { ContainerSpec } from '../../src/model/desired.js';
import { project } from './helpers.js';
import { containerSpec } from '../helpers/fixtures.js';
import { builtinCatalog } from '../../src/drivers/catalog.js';

const compose = readFileSync(new URL('../../examples/compose-service.yml', import.meta.url), 'utf8');
const machinesYml = 'version: 1\nmachines:\n  m1:\n    driver: local\n' + compose.replace(/^services:/m, 'containers:');

// Every field's default as the normaliser fills it, without the name and the image (each case sets them).
const { name: _name, image: _image, ...defaults } = containerSpec('defaults');

describe('a Compose service block', async () => {
  const dir = project({
    'machines.yml': machinesYml,
    'db.env': '# database settings\nPOSTGRES_USER=app\nexport POSTGRES_DB="from-file"\nGREETING=\'hi there\'\n',
    'db_password.txt': 'secret\n',
  });
  const desired = await loadConfig({ file: join(dir, 'machines.yml'), env: {} }, builtinCatalog());

  it('loads every service of the Compose file, pasted unchanged under containers, with its image', () => {
    const services = parse(compose).services as Record<string, { image: string }>;
    expect(Object.keys(desired.containers).sort()).toEqual(Object.keys(services).sort());
    for (const [name, service] of Object.entries(services)) expect(desired.containers[name].image, name).toBe(service.image);
  });

  it('normalises the proxy (long ports, mounts, depends_on, deploy.resources, logging, ulimits)', () => {
    expect(desired.containers.proxy).toEqual({
      ...defaults,
      name: 'proxy',
      image: 'nginx:1.27-alpine',
      ports: [
        { target: 80, published: '8080', host_ip: '127.0.0.1', protocol: 'tcp', mode: 'host' },
        { target: 443, published: '8443', protocol: 'tcp' },
        { target: 9000, published: '9000', protocol: 'udp' },
        { target: 9001, published: '9001', protocol: 'udp' },
      ],
      volumes: [
        { type: 'bind', source: join(dir, 'nginx.conf'), target: '/etc/nginx/nginx.conf', read_only: true },
        { type: 'volume', source: 'cache', target: '/var/cache/nginx', read_only: false, volume: { nocopy: true } },
        { type: 'tmpfs', target: '/tmp', read_only: false, tmpfs: { size: 64 * 1024 ** 2, mode: 0o1777 } },
      ],
      depends_on: {
        db: { condition: 'service_healthy', required: true, restart: true },
        migrate: { condition: 'service_completed_successfully', required: true, restart: false },
      },
      networks: { front: { aliases: [] }, back: { aliases: ['edge'] } },
      healthcheck: {
        test: ['CMD', 'wget', '-qO-', 'http://localhost/'],
        interval: 30e9,
        timeout: 5e9,
        retries: 3,
        start_period: 60e9,
        disable: false,
      },
      cpus: 0.5,
      mem_limit: 256 * 1024 ** 2,
      pids_limit: 100,
      mem_reservation: 64 * 1024 ** 2,
      logging: { driver: 'json-file', options: { 'max-size': '10m', 'max-file': '3' } },
      ulimits: { nproc: { soft: 65535, hard: 65535 }, nofile: { soft: 20000, hard: 40000 } },
      labels: { 'com.example.role': 'proxy' },
      extra_hosts: ['host.docker.internal:host-gateway'],
      restart: 'unless-stopped',
    });
  });

  it('normalises the database (env_file then environment, secrets, sizes, durations)', () => {
    expect(desired.containers.db).toEqual({
      ...defaults,
      name: 'db',
      image: 'postgres:16',
      environment: {
        POSTGRES_USER: 'app',
        POSTGRES_DB: 'app',
        GREETING: 'hi there',
        PGDATA: '/var/lib/postgresql/data/pgdata',
      },
      secrets: [
        { source: 'db_password', target: '/run/secrets/db_password', mode: 0o444 },
        { source: 'db_password', target: '/run/secrets/pg_pass', mode: 0o400 },
      ],
      volumes: [{ type: 'volume', source: 'pgdata', target: '/var/lib/postgresql/data', read_only: false }],
      healthcheck: { test: ['CMD-SHELL', 'pg_isready -U postgres'], interval: 10e9, disable: false },
      shm_size: 256 * 1024 ** 2,
      stop_grace_period: 90e9,
      networks: { back: { aliases: [] } },
    });
  });

  it('splits a command string like a shell', () => {
    expect(desired.containers.migrate.command).toEqual(['./migrate', 'up', '--verbose', 'all tables']);
    expect(desired.containers.migrate.restart).toBe('no');
  });

  it('reads the top-level networks, volumes and secrets', () => {
    expect(desired.networks.back).toMatchObject({ name: 'back', driver: 'bridge', internal: true, external: false });
    expect(Object.keys(desired.volumes)).toEqual(['pgdata', 'cache']);
    expect(desired.secrets.db_password).toEqual({ name: 'db_password', file: join(dir, 'db_password.txt') });
  });
});
