// Plan text shows values as machines.yml has them: a config is loaded from YAML, planned, and the text of its
// container is compared whole. The JSON plan keeps the engine's units.
import { describe, expect, it } from 'vitest';
import { plan, planToJson, renderPlanText } from '../../src/plan/index.js';
import { duration, mode, size } from '../../src/plan/render-value.js';
import { load } from '../config/helpers.js';
import { clone, converged, emptyState, notRefreshed } from './fixtures.js';

const YAML = `version: 1
project: shop
machines:
  m1: { driver: local }
secrets:
  db_pw: { file: ./pw.txt }
volumes:
  data: {}
containers:
  web:
    machine: m1
    image: nginx:1.27
    command: ["nginx", "-g", "daemon off;"]
    environment: { MODE: prod, LOG_LEVEL: info }
    labels: { com.example.team: shop, tier: front }
    ports: ["8080:80", "8443:443", "127.0.0.1:9090:9090", "127.0.0.1:9091:9091"]
    volumes:
      - data:/var/lib/app:ro
      - { type: tmpfs, target: /run/cache, tmpfs: { size: 64m, mode: 01777 } }
    secrets: [{ source: db_pw, target: /run/secrets/db_pw, mode: 0440 }]
    healthcheck: { test: ["CMD", "wget", "-q", "-O-", "http://localhost/"], interval: 5s, timeout: 1m30s, start_period: 500ms, retries: 3 }
    stop_grace_period: 20s
    mem_limit: 256m
    shm_size: 1g
    restart: unless-stopped
`;

/** The lines of one node's block, from its `# ADDRESS` headline to the blank line after it. */
function block(text: string, address: string): string {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.startsWith(`  # ${address} `));
  const end = lines.indexOf('', start);
  return lines.slice(start, end).join('\n');
}

describe('plan text shows values as machines.yml writes them', () => {
  it('a container: durations, sizes and octal modes as written, environment and labels as aligned blocks, long lists one per line', async () => {
    const d = await load(YAML, {}, { 'pw.txt': 'x\n' });
    const text = renderPlanText(plan(d, emptyState(), notRefreshed));
    expect(block(text, 'container.web[m1]')).toBe(`  # container.web[m1] will be created
  # (not in state)
  + container.web[m1]
      + command           = ["nginx", "-g", "daemon off;"]
      + environment       = {
          + LOG_LEVEL = "info"
          + MODE      = "prod"
        }
      + healthcheck       = {
          + interval     = "5s"
          + retries      = 3
          + start_period = "500ms"
          + test         = ["CMD", "wget", "-q", "-O-", "http://localhost/"]
          + timeout      = "1m30s"
        }
      + image             = "nginx:1.27"
      + labels            = {
          + com.example.team = "shop"
          + tier             = "front"
        }
      + mem_limit         = "256m"
      + ports             = [
          + "8080:80/tcp",
          + "8443:443/tcp",
          + "127.0.0.1:9090:9090/tcp",
          + "127.0.0.1:9091:9091/tcp",
        ]
      + restart           = "unless-stopped"
      + secrets           = [
          + { mode = 0440, source = "db_pw", target = "/run/secrets/db_pw" },
        ]
      + shm_size          = "1g"
      + stop_grace_period = "20s"
      + volumes           = [
          + "data:/var/lib/app:ro",
          + { target = "/run/cache", tmpfs = { mode = 01777, size = "64m" }, type = "tmpfs" },
        ]`);
  });

  it('plan JSON keeps the engine units (nanoseconds, bytes, numeric modes)', async () => {
    const d = await load(YAML, {}, { 'pw.txt': 'x\n' });
    const web = planToJson(plan(d, emptyState(), notRefreshed)).nodes.find((n) => n.address === 'container.web[m1]')!;
    expect(web.after).toMatchObject({
      healthcheck: { interval: 5_000_000_000, timeout: 90_000_000_000, start_period: 500_000_000 },
      mem_limit: 268_435_456,
      secrets: [{ mode: 0o440 }],
    });
  });

  it('a changed duration, size and environment value, as written', async () => {
    const d = await load(YAML, {}, { 'pw.txt': 'x\n' });
    const { state, observed } = converged(d);
    const next = clone(d);
    next.containers.web.healthcheck!.interval = 10e9;
    next.containers.web.mem_limit = 512 * 1024 ** 2;
    next.containers.web.environment.MODE = 'dev';
    const text = renderPlanText(plan(next, state, observed));
    expect(text).toContain('      ~ environment.MODE     = "prod" -> "dev"\n');
    expect(text).toContain('      ~ healthcheck.interval = "5s" -> "10s"\n');
    expect(text).toContain('      ~ mem_limit            = "256m" -> "512m"\n');
  });

  it('a list that becomes too long for one line: the old value out, the new one in, one item per line', async () => {
    const d = await load(YAML, {}, { 'pw.txt': 'x\n' });
    const { state, observed } = converged(d);
    const next = clone(d);
    next.containers.web.command = ['nginx', '-g', 'daemon off;', '-c', '/etc/nginx/conf.d/a-rather-long-file-name.conf'];
    expect(renderPlanText(plan(next, state, observed))).toContain(`-/+ container.web[m1]
      - command = ["nginx", "-g", "daemon off;"]
      + command = [
          + "nginx",
          + "-g",
          + "daemon off;",
          + "-c",
          + "/etc/nginx/conf.d/a-rather-long-file-name.conf",
        ]
`);
  });

  it('a sensitive value shows as (sensitive) in its block, and odd keys are quoted and escaped', async () => {
    const yaml = `version: 1\nmachines:\n  m1: { driver: local }\nvariables:\n  token: { sensitive: true }\ncontainers:\n  web:\n    image: nginx\n    environment:\n      TOKEN: \${token}\n      "K\\e[31m": red\n`;
    const d = await load(yaml, { vars: { token: 's3cr3t-value' } });
    const text = renderPlanText(plan(d, emptyState(), notRefreshed));
    expect(text).toContain(`      + environment = {
          + "K\\u001b[31m" = "red"
          + TOKEN         = (sensitive)
        }
`);
    expect(text).not.toContain('s3cr3t');
  });
});

describe('a built image says what is built, from where, and how it reaches the machine', () => {
  it('names the image, the context, the Dockerfile, the stage and the engine that builds it', async () => {
    const yaml = `version: 1\nmachines:\n  m1: { driver: local }\n  m2: { driver: local }\ncontainers:\n  app:\n    machines: [m1, m2]\n    image: shop/app:2\n    pull_policy: build\n    build: { context: ./app, dockerfile: docker/Dockerfile.prod, target: runtime }\n`;
    const d = await load(yaml);
    const dir = d.configPath.replace(/\/machines\.yml$/, '');
    const text = renderPlanText(plan(d, emptyState(), notRefreshed));
    for (const m of ['m1', 'm2']) {
      expect(block(text, `image.shop/app:2[${m}]`)).toBe(`  # image.shop/app:2[${m}] will be created
  # (not on the machine (pull_policy build: built at apply))
  # builds shop/app:2 from context ${dir}/app with Dockerfile ${dir}/app/docker/Dockerfile.prod, stage runtime
  # on machine ${m}'s own engine: mfile sends it the context as a tar stream; nothing is pulled or copied
  + image.shop/app:2[${m}]
      + build       = {
          + context    = "${dir}/app"
          + dockerfile = "docker/Dockerfile.prod"
          + target     = "runtime"
        }
      + pull_policy = "build"
      + ref         = "shop/app:2"`);
    }
  });

  it('with pull_policy missing, an absent image with a build section is built too, and says so', async () => {
    const yaml = `version: 1\nmachines:\n  m1: { driver: local }\ncontainers:\n  app:\n    image: shop/app:2\n    build: ./app\n`;
    const d = await load(yaml);
    const dir = d.configPath.replace(/\/machines\.yml$/, '');
    const text = renderPlanText(plan(d, emptyState(), notRefreshed));
    expect(block(text, 'image.shop/app:2[m1]')).toContain(
      `  # (not on the machine (pull_policy missing))\n  # builds shop/app:2 from context ${dir}/app with Dockerfile ${dir}/app/Dockerfile\n`,
    );
  });

  it('a remote context is fetched by the engine itself', async () => {
    const yaml = `version: 1\nmachines:\n  m1: { driver: local }\ncontainers:\n  app:\n    image: shop/app:2\n    pull_policy: build\n    build: https://example.com/shop/app.git\n`;
    const text = renderPlanText(plan(await load(yaml), emptyState(), notRefreshed));
    expect(text).toContain(
      '  # builds shop/app:2 from context https://example.com/shop/app.git with its Dockerfile\n' +
        "  # on machine m1's own engine: the engine fetches the context itself\n",
    );
  });
});

describe('value formats', () => {
  it.each([
    [0, '0s'],
    [5e9, '5s'],
    [90e9, '1m30s'],
    [1.5e9, '1.5s'],
    [100e6, '100ms'],
    [3600e9 + 1e9, '1h1s'],
    [2e3, '2us'],
    [7, '7ns'],
  ])('duration(%d) = %s', (ns, text) => expect(duration(ns)).toBe(text));

  it.each([
    [268_435_456, '"256m"'],
    [1024 ** 3, '"1g"'],
    [1536, '1536'],
    [1000, '1000'],
    [-1, '-1'],
  ])('size(%d) = %s', (bytes, text) => expect(size(bytes)).toBe(text));

  it.each([
    [0o440, '0440'],
    [0o1777, '01777'],
    [0o4, '0004'],
  ])('mode(%d) = %s', (n, text) => expect(mode(n)).toBe(text));
});
