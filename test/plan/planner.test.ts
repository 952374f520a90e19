// Table tests of plan(): plain data in, rendered plan text out (the text is what a user reads).
import { describe, expect, it } from 'vitest';
import type { Desired, Observed, State } from '../../src/model/index.js';
import { plan, renderPlanText, topoOrder, type PlanOptions } from '../../src/plan/index.js';
import { clone, container, containerId, converged, desired, emptyState, imageId, machine, network, notRefreshed, volume } from './fixtures.js';

const pgData = { type: 'volume' as const, source: 'data', target: '/var/lib/postgresql/data', read_only: false };
const onBackend = { backend: { aliases: [] } };

/** Two containers on one machine: web (nginx, port 8080) depends on db (postgres, volume data); both on backend. */
function shop(over: { sensitiveValues?: string[]; webEnv?: Record<string, string> } = {}): Desired {
  return desired({
    machines: [machine('m1')],
    networks: [network('backend')],
    volumes: [volume('data')],
    sensitiveValues: over.sensitiveValues,
    containers: [
      container('web', {
        image: 'nginx:1.26',
        ports: [{ target: 80, published: '8080', protocol: 'tcp' }],
        environment: over.webEnv ?? { MODE: 'prod' },
        networks: onBackend,
        depends_on: { db: { condition: 'service_healthy', required: true, restart: false } },
      }),
      container('db', { image: 'postgres:16', networks: onBackend, volumes: [pgData] }),
    ],
  });
}

const text = (d: Desired, s: State, o: Observed, opts?: PlanOptions): string => renderPlanText(plan(d, s, o, opts));

describe('plan', () => {
  it('creates everything on an empty state, machine first and dependencies before dependents', () => {
    const p = plan(shop(), emptyState(), { refreshed: true, machines: {} });
    expect(renderPlanText(p)).toBe(`mfile will perform the following actions:

  # container.db[m1] will be created
  # (machine m1 is new)
  + container.db[m1]
      + image    = "postgres:16"
      + networks = {
          + backend = {}
        }
      + restart  = "unless-stopped"
      + volumes  = ["data:/var/lib/postgresql/data"]

  # container.web[m1] will be created
  # (machine m1 is new)
  + container.web[m1]
      + environment = {
          + MODE = "prod"
        }
      + image       = "nginx:1.26"
      + networks    = {
          + backend = {}
        }
      + ports       = ["8080:80/tcp"]
      + restart     = "unless-stopped"

  # image.nginx:1.26[m1] will be created
  # (not on the machine (pull_policy missing))
  + image.nginx:1.26[m1]
      + pull_policy = "missing"
      + ref         = "nginx:1.26"

  # image.postgres:16[m1] will be created
  # (not on the machine (pull_policy missing))
  + image.postgres:16[m1]
      + pull_policy = "missing"
      + ref         = "postgres:16"

  # machine.m1 will be created
  # (not in state)
  + machine.m1
      + driver         = "sandbox"
      + driver_options = {
          + region = "eu-1"
        }
      + engine         = {
          + port      = 2376
          + tls       = {
              + enabled = true
            }
          + transport = "tcp"
        }

  # network.backend[m1] will be created
  # (machine m1 is new)
  + network.backend[m1]
      + driver = "bridge"

  # volume.data[m1] will be created
  # (machine m1 is new)
  + volume.data[m1]
      + driver = "local"

Plan: 7 to add, 0 to change, 0 to destroy.
`);
    expect(topoOrder(p)).toEqual([
      'machine.m1',
      'image.nginx:1.26[m1]',
      'image.postgres:16[m1]',
      'network.backend[m1]',
      'volume.data[m1]',
      'container.db[m1]',
      'container.web[m1]',
    ]);
  });

  it('says No changes when the machines match, and again without a refresh', () => {
    const d = shop();
    const { state, observed } = converged(d);
    expect(text(d, state, observed)).toBe('No changes. Your machines match the configuration.\n');
    expect(text(d, state, notRefreshed)).toBe('No changes. Your machines match the configuration.\n');
  });

  it('replaces a container whose image changed and pulls the new image first', () => {
    const d = shop();
    const { state, observed } = converged(d);
    d.containers.web.image = 'nginx:1.27';
    const p = plan(d, state, observed);
    expect(renderPlanText(p)).toBe(`mfile will perform the following actions:

  # container.web[m1] must be replaced
  # (image changed: nginx:1.26 -> nginx:1.27)
  # replace: stop the old container first (published port 8080)
-/+ container.web[m1]
      ~ image = "nginx:1.26" -> "nginx:1.27"

  # image.nginx:1.27[m1] will be created
  # (not on the machine (pull_policy missing))
  + image.nginx:1.27[m1]
      + pull_policy = "missing"
      + ref         = "nginx:1.27"

Plan: 2 to add, 0 to change, 1 to destroy.
`);
    const web = p.nodes.find((n) => n.address === 'container.web[m1]')!;
    expect(web.dependsOn).toContain('image.nginx:1.27[m1]');
    expect(web.existingId).toBe(containerId('web', 'm1'));
  });

  it('shows an environment change and hides a sensitive value, naming only that one changed', () => {
    const d = shop({ sensitiveValues: ['s3cret'], webEnv: { MODE: 'prod', API_KEY: 's3cret' } });
    const { state, observed } = converged(d);
    const visible = clone(d);
    visible.containers.web.environment.MODE = 'dev';
    const out = text(visible, state, observed);
    expect(out).toContain('  # (environment.MODE changed: prod -> dev)\n');
    expect(out).toContain('      ~ environment.MODE = "prod" -> "dev"\n');

    const secret = clone(d);
    secret.sensitiveValues = ['n3w-s3cret'];
    secret.containers.web.environment.API_KEY = 'n3w-s3cret';
    expect(text(secret, state, observed)).toBe(`mfile will perform the following actions:

  # container.web[m1] must be replaced
  # (a sensitive value changed)
  # replace: stop the old container first (published port 8080)
-/+ container.web[m1]

Plan: 1 to add, 0 to change, 1 to destroy.
`);
    const json = JSON.stringify(plan(secret, state, observed));
    expect(json).not.toContain('s3cret');
    expect(json).toContain('"API_KEY":"(sensitive)"');
  });

  it('recreates a container deleted outside mfile', () => {
    const d = shop();
    const { state, observed } = converged(d);
    observed.machines.m1.containers = observed.machines.m1.containers.filter((c) => c.labels['io.mfile.name'] !== 'db');
    const out = text(d, state, observed);
    expect(out).toContain(`  # container.db[m1] will be created
  # (missing on the machine (deleted outside mfile))
  + container.db[m1]
`);
    expect(out).toContain('Plan: 1 to add, 0 to change, 0 to destroy.');
  });

  it('starts a container stopped outside mfile, and leaves a finished one-shot container alone', () => {
    const d = shop();
    const { state, observed } = converged(d);
    const db = observed.machines.m1.containers.find((c) => c.id === containerId('db', 'm1'))!;
    db.state = 'exited';
    db.exitCode = 137;
    expect(text(d, state, observed)).toBe(`mfile will perform the following actions:

  # container.db[m1] will be updated in-place
  # (stopped outside mfile (exited 137))
  ~ container.db[m1]

Plan: 0 to add, 1 to change, 0 to destroy.
`);
    const once = clone(d);
    once.containers.db.restart = 'no';
    const conv = converged(once);
    const job = conv.observed.machines.m1.containers.find((c) => c.id === containerId('db', 'm1'))!;
    job.state = 'exited';
    job.exitCode = 0;
    expect(text(once, conv.state, conv.observed)).toContain('No changes.');
  });

  it('destroys a container removed from machines.yml, and its network and volume after it', () => {
    const d = shop();
    const { state, observed } = converged(d);
    const next = clone(d);
    delete next.containers.db;
    next.containers.web.depends_on = {};
    next.containers.web.networks = {};
    const p = plan(next, state, observed);
    expect(renderPlanText(p)).toBe(`mfile will perform the following actions:

  # container.db[m1] will be destroyed
  # (removed from machines.yml)
  - container.db[m1]

  # container.web[m1] must be replaced
  # (networks removed (was {"backend":{}}))
  # replace: stop the old container first (published port 8080)
-/+ container.web[m1]
      - networks = {
          - backend = {}
        }

  # network.backend[m1] will be destroyed
  # (no longer used on m1)
  - network.backend[m1]

  # volume.data[m1] will be destroyed
  # (no longer used on m1)
  - volume.data[m1]

Plan: 1 to add, 0 to change, 4 to destroy.
`);
    const order = topoOrder(p);
    expect(order.indexOf('container.db[m1]')).toBeLessThan(order.indexOf('volume.data[m1]'));
    expect(order.indexOf('container.web[m1]')).toBeLessThan(order.indexOf('network.backend[m1]'));
  });

  it('adopts labelled objects when the state is lost, without creating duplicates', () => {
    const d = shop();
    const { state, observed } = converged(d);
    const lost = emptyState();
    lost.machines = state.machines;
    const p = plan(d, lost, observed);
    expect(renderPlanText(p)).toBe(
      'Found 4 objects by their labels that the state does not record: kept, not recreated.\n' +
        'No changes. Your machines match the configuration.\n',
    );
    expect(p.nodes.filter((n) => n.action === 'create')).toEqual([]);
    expect(p.nodes.find((n) => n.address === 'container.web[m1]')?.existingId).toBe(containerId('web', 'm1'));
  });

  it('keeps one of two containers with the same labels and deletes the other', () => {
    const d = shop();
    const { state, observed } = converged(d);
    const web = observed.machines.m1.containers.find((c) => c.id === containerId('web', 'm1'))!;
    observed.machines.m1.containers.push({ ...web, id: 'ffff00001111aaaa', name: 'shop-web-copy' });
    const p = plan(d, state, observed);
    expect(renderPlanText(p)).toBe(`mfile will perform the following actions:

  # container.web[m1]#ffff00001111 will be destroyed
  # (duplicate)
  - container.web[m1]#ffff00001111

Plan: 0 to add, 0 to change, 1 to destroy.
`);
    expect(p.nodes.find((n) => n.address.endsWith('#ffff00001111'))?.existingId).toBe('ffff00001111aaaa');
  });

  it('deletes objects with the project label that nobody declares', () => {
    const d = shop();
    const { state, observed } = converged(d);
    const stray = { ...observed.machines.m1.containers[0], id: 'abc', labels: { ...observed.machines.m1.containers[0].labels, 'io.mfile.name': 'old' } };
    observed.machines.m1.containers.push(stray);
    expect(text(d, state, observed)).toContain(`  # container.old[m1] will be destroyed
  # (not declared in machines.yml)
  - container.old[m1]
`);
  });

  it('replaces a container whose image was re-tagged on the machine', () => {
    const d = shop();
    const { state, observed } = converged(d);
    observed.machines.m1.images.find((i) => i.repoTags.includes('nginx:1.26'))!.id = 'sha256:0123456789abcdef';
    expect(text(d, state, observed)).toContain(`  # (image nginx:1.26 was updated: ${imageId('nginx:1.26').slice(7, 19)} -> 0123456789ab)`);
  });

  it('replaces a machine when a driver option changes, and recreates what runs on it', () => {
    const d = shop();
    const { state, observed } = converged(d);
    d.machines.m1.driverOptions = { region: 'eu-2' };
    const p = plan(d, state, observed);
    const out = renderPlanText(p);
    expect(out).toContain(`  # machine.m1 must be replaced
  # (driver option region forces replacement: eu-1 -> eu-2)
-/+ machine.m1
      ~ driver_options.region = "eu-1" -> "eu-2"
`);
    expect(out).toContain(`  # container.web[m1] will be created
  # (machine m1 must be replaced)
`);
    expect(out).toContain('Plan: 7 to add, 0 to change, 1 to destroy.');
  });

  it('updates the engine in place when its labels change, naming the daemon restart', () => {
    const d = shop();
    const { state, observed } = converged(d);
    d.machines.m1.engine.labels = { role: 'web' };
    expect(text(d, state, observed)).toBe(`mfile will perform the following actions:

  # machine.m1 will be updated in-place
  # (engine config changed (labels) - daemon restart)
  ~ machine.m1
      + engine.labels = {
          + role = "web"
        }

Plan: 0 to add, 1 to change, 0 to destroy.
`);
  });

  it('replaces a tainted machine, recreates a missing one, and warns about an unreachable one', () => {
    const d = desired({ machines: [machine('a'), machine('b'), machine('c')] });
    const { state, observed } = converged(d);
    state.machines.a.status = 'tainted';
    observed.machines.b.status = 'missing';
    observed.machines.c = { ...observed.machines.c, status: 'error', error: 'connection refused' };
    expect(text(d, state, observed)).toBe(`mfile will perform the following actions:

  # machine.a must be replaced
  # (tainted: a previous create failed)
-/+ machine.a

  # machine.b will be created
  # (missing (deleted outside mfile))
  + machine.b
      + driver         = "sandbox"
      + driver_options = {
          + region = "eu-1"
        }
      + engine         = {
          + port      = 2376
          + tls       = {
              + enabled = true
            }
          + transport = "tcp"
        }

Plan: 2 to add, 0 to change, 1 to destroy.

Warning: machine c: error (connection refused); objects on it are planned from the state
`);
  });

  it('records a local engine the first time and never creates or destroys it', () => {
    const d = desired({ machines: [machine('here', { driver: 'local', driverOptions: {} })], containers: [container('web', { machines: ['here'] })] });
    const observed: Observed = { refreshed: true, machines: { here: { name: 'here', status: 'running', containers: [], networks: [], volumes: [], images: [{ id: 'sha256:aaa', repoTags: ['nginx:1.27'] }] } } };
    const p = plan(d, emptyState(), observed);
    expect(p.nodes.map((n) => `${n.action} ${n.address} ${n.reasons.join('; ')}`)).toEqual([
      'create container.web[here] not in state',
      'noop image.nginx:1.27[here] ',
      'create machine.here record existing engine',
    ]);
    const { state } = converged(d);
    const gone = plan(desired({ machines: [] }), state, notRefreshed);
    expect(gone.nodes.map((n) => `${n.action} ${n.address} ${n.reasons.join('; ')}`)).toEqual([
      'delete container.web[here] machine here is removed from machines.yml',
      'delete machine.here removed from machines.yml; mfile did not create this engine: only its record is removed',
    ]);
  });

  it('reads images with pull_policy always at apply without counting a change', () => {
    const d = shop();
    d.containers.web.pull_policy = 'always';
    const { state, observed } = converged(d);
    const p = plan(d, state, observed);
    expect(p.nodes.find((n) => n.address === 'image.nginx:1.26[m1]')?.action).toBe('read');
    expect(renderPlanText(p)).toBe('No changes. Your machines match the configuration.\n');
  });

  it('destroys in reverse order: dependents first, the machine last', () => {
    const d = shop();
    const { state, observed } = converged(d);
    const p = plan(d, state, observed, { destroy: true });
    expect(p.summary).toEqual({ add: 0, change: 0, destroy: 5 });
    expect(topoOrder(p)).toEqual(['container.web[m1]', 'container.db[m1]', 'network.backend[m1]', 'volume.data[m1]', 'machine.m1']);
    expect(text(d, emptyState(), { refreshed: true, machines: {} }, { destroy: true })).toBe('No changes. No objects need to be destroyed.\n');
  });

  it('keeps targeted nodes and pulls in what they depend on', () => {
    const d = shop();
    d.containers.api = container('api', { image: 'api:1' });
    const opts: PlanOptions = { targets: ['container.web[*]'] };
    const p = plan(d, emptyState(), { refreshed: true, machines: {} }, opts);
    expect(p.nodes.map((n) => n.address)).toEqual([
      'container.db[m1]',
      'container.web[m1]',
      'image.nginx:1.26[m1]',
      'image.postgres:16[m1]',
      'machine.m1',
      'network.backend[m1]',
      'volume.data[m1]',
    ]);
    expect(p.warnings[0]).toMatch(/^Resource targeting is in effect/);
    const destroyDb = plan(d, converged(d).state, notRefreshed, { destroy: true, targets: ['container.db[m1]'] });
    expect(destroyDb.nodes.map((n) => n.address)).toEqual(['container.db[m1]', 'container.web[m1]']);
    expect(plan(d, emptyState(), notRefreshed, { targets: ['machine.nope'] }).warnings).toContain('target machine.nope matches nothing in the plan');
  });

  it('orders containers across machines when depends_on names one elsewhere', () => {
    const d = desired({
      machines: [machine('m1'), machine('m2')],
      containers: [
        container('db', { machines: ['m2'], image: 'postgres:16' }),
        container('web', { machines: ['m1'], depends_on: { db: { condition: 'service_started', required: true, restart: false } } }),
      ],
    });
    const p = plan(d, emptyState(), notRefreshed);
    expect(p.nodes.find((n) => n.address === 'container.web[m1]')?.dependsOn).toEqual(['container.db[m2]', 'image.nginx:1.27[m1]', 'machine.m1']);
  });

  it('is deterministic: the same input gives the same plan regardless of key order', () => {
    const d = shop();
    const reversed = { ...d, containers: Object.fromEntries(Object.entries(d.containers).reverse()) };
    expect(JSON.stringify(plan(reversed, emptyState(), notRefreshed))).toBe(JSON.stringify(plan(d, emptyState(), notRefreshed)));
  });
});

describe('plan without a refresh (state only)', () => {
  it('replaces a tainted container and explains a config change from the recorded attributes', () => {
    const d = shop();
    const { state } = converged(d);
    state.objects['container.db[m1]'].status = 'tainted';
    d.containers.web.ports = [{ target: 80, published: '8081', protocol: 'tcp' }];
    const out = text(d, state, notRefreshed);
    // db publishes no port and has no fixed address: the new one starts beside the old one.
    expect(out).toContain('  # container.db[m1] must be replaced\n  # (tainted: a previous create failed)\n  # replace: start the new container first, then remove the old one\n');
    expect(out).toContain('  # replace: stop the old container first (published port 8081)\n');
    expect(out).toContain('  # (ports changed: [8080:80/tcp] -> [8081:80/tcp])\n');
    expect(out).toContain('      ~ ports = ["8080:80/tcp"] -> ["8081:80/tcp"]\n');
  });
});
