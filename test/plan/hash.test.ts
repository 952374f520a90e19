import { describe, expect, it } from 'vitest';
import { containerConfigHash, engineConfigHash, mask } from '../../src/plan/index.js';
import { container, machine } from './fixtures.js';

describe('containerConfigHash', () => {
  const base = container('web', { environment: { MODE: 'prod' } });
  const h = containerConfigHash(base, 'shop');

  it('is a sha256 hex digest that ignores key order', () => {
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    const reordered = Object.fromEntries(Object.entries(base).reverse()) as typeof base;
    expect(containerConfigHash(reordered, 'shop')).toBe(h);
  });

  it('does not change for depends_on, pull_policy or machines', () => {
    const other = container('web', {
      environment: { MODE: 'prod' },
      depends_on: { db: { condition: 'service_started', required: true, restart: false } },
      pull_policy: 'always',
      machines: ['m1', 'm2'],
    });
    expect(containerConfigHash(other, 'shop')).toBe(h);
  });

  it('changes with the environment, the image, a network attachment and the project', () => {
    expect(containerConfigHash(container('web', { environment: { MODE: 'dev' } }), 'shop')).not.toBe(h);
    expect(containerConfigHash(container('web', { environment: { MODE: 'prod' }, image: 'nginx:1.28' }), 'shop')).not.toBe(h);
    expect(containerConfigHash(container('web', { environment: { MODE: 'prod' }, networks: { b: { aliases: [] } } }), 'shop')).not.toBe(h);
    expect(containerConfigHash(base, 'other')).not.toBe(h);
  });
});

describe('engineConfigHash', () => {
  it('changes with engine labels and TLS names, not with the install mode', () => {
    const m = machine('m1');
    const h = engineConfigHash(m);
    expect(engineConfigHash(machine('m1', { engine: { ...m.engine, labels: { role: 'web' } } }))).not.toBe(h);
    expect(engineConfigHash(machine('m1', { tls: { enabled: true, san: ['web.example.com'] } }))).not.toBe(h);
    expect(engineConfigHash(machine('m1', { engine: { ...m.engine, install: 'never' } }))).toBe(h);
  });
});

describe('mask', () => {
  it('replaces strings equal to or containing a secret, deeply, and leaves the input alone', () => {
    const input = { env: { PASSWORD: 'hunter2', URL: 'postgres://u:hunter2@db/x', MODE: 'prod' }, cmd: ['run', '--token=hunter2'], n: 3 };
    expect(mask(input, ['hunter2'])).toEqual({
      env: { PASSWORD: '(sensitive)', URL: '(sensitive)', MODE: 'prod' },
      cmd: ['run', '(sensitive)'],
      n: 3,
    });
    expect(input.env.PASSWORD).toBe('hunter2');
  });

  it('ignores an empty sensitive value', () => {
    expect(mask({ a: 'x' }, [''])).toEqual({ a: 'x' });
  });
});

describe('hash canonical form', () => {
  it('hashes the canonical JSON of the attributes: sorted keys, no spaces, no default values', async () => {
    const { canonicalJson } = await import('../../src/plan/canonical.js');
    const { containerAttributes } = await import('../../src/plan/index.js');
    const spec = container('web', {
      environment: { Z: '1', A: '2' },
      healthcheck: { test: ['CMD', 'true'], retries: 3, interval: 5e9, disable: false },
      ports: [{ target: 80, protocol: 'tcp', published: '8080' }],
    });
    // Written out by hand; the digest is `printf '%s' JSON | sha256sum` of it.
    const json =
      '{"kind":"container","project":"shop","spec":{"environment":{"A":"2","Z":"1"},' +
      '"healthcheck":{"interval":5000000000,"retries":3,"test":["CMD","true"]},"image":"nginx:1.27",' +
      '"ports":[{"protocol":"tcp","published":"8080","target":80}],"restart":"unless-stopped"}}';
    expect(canonicalJson({ kind: 'container', project: 'shop', spec: containerAttributes(spec) })).toBe(json);
    expect(containerConfigHash(spec, 'shop')).toBe('ea9b0c4fde45c89a63b9bf0188f65e07cfa235e38399d35d3807d3aa7ac50fae');
  });

  it('masks a secret that needs escaping in JSON', () => {
    const d = { environment: { Q: 'say "hi"\\now' } };
    expect(mask(d, ['"hi"\\n'])).toEqual({ environment: { Q: '(sensitive)' } });
  });
});
