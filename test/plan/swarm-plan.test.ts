// The swarm half of plan(): init on the first manager with an address pool clear of the machines' networks,
// joins through it, services diffed (drift included), rotated secrets, a leaving worker drained before its
// machine goes, and the tear-down order of destroy.
import { describe, expect, it } from 'vitest';
import type { Desired, Observed, ObservedSwarm, PlanNode, ServiceSpec, State } from '../../src/model/index.js';
import { LABEL_CONFIG_HASH, LABEL_NAME, LABEL_PROJECT } from '../../src/model/labels.js';
import { Masker } from '../../src/masking.js';
import { plan } from '../../src/plan/index.js';
import { serviceAttributes, serviceConfigHash, swarmFileEngineName } from '../../src/plan/swarm-plan.js';
import { converged, desired, emptyState, machine, network } from './fixtures.js';

function web(over: Partial<ServiceSpec['deploy']> = {}, image = 'app:1'): ServiceSpec {
  return {
    name: 'web',
    image,
    environment: {},
    labels: {},
    ports: [{ target: 80, published: '8080', protocol: 'tcp', mode: 'host' }],
    networks: ['back'],
    secrets: [{ source: 'token', target: '/run/secrets/token', mode: 0o444 }],
    configs: [],
    init: false,
    deploy: { mode: 'replicated', replicas: 3, endpoint_mode: 'dnsrr', labels: {}, placement: { constraints: [], preferences: [] }, resources: { limits: {}, reservations: {} }, ...over },
  };
}

const DIGEST = 'aaaaaaaaaaaa0000000000000000000a';

function swarmFile(machines = ['m1', 'w1', 'w2'], service = web(), digest = DIGEST): Desired {
  const d = desired({
    machines: machines.map((m) => machine(m, { driverOptions: { subnet: '10.200.7.0/24' } })),
    networks: [network('back', { driver: 'overlay', attachable: true })],
  });
  d.secrets = { token: { name: 'token', file: '/srv/shop/token.txt' } };
  d.swarm = {
    roles: machines.map((m) => ({ machine: m, role: m === 'm1' ? 'manager' : 'worker' })),
    subnetSize: 24,
    services: { web: service },
    configs: {},
    secretDigests: { token: digest },
  };
  return d;
}

/** The swarm as a manager reports it after `d` was applied: every machine a node, web at its spec. */
function applied(d: Desired, over: { replicas?: number; secretDigest?: string; extraNode?: string } = {}): { state: State; observed: Observed } {
  const { state, observed } = converged(d);
  const names = [...d.swarm!.roles.map((r) => r.machine), ...(over.extraNode ? [over.extraNode] : [])];
  for (const m of names) {
    observed.machines[m] ??= { name: m, status: 'running', containers: [], networks: [], volumes: [], images: [] };
    observed.machines[m].swarm = { state: 'active', nodeId: `node-${m}`, clusterId: 'c1', isManager: m === 'm1' };
    observed.machines[m].images.push({ id: 'sha256:app1', repoTags: ['app:1'] });
  }
  const spec = d.swarm!.services.web;
  const secretName = swarmFileEngineName('shop', 'token', over.secretDigest ?? DIGEST);
  const attrs = serviceAttributes(spec, { secrets: { token: secretName }, configs: {} });
  const labels = { [LABEL_PROJECT]: 'shop', [LABEL_NAME]: 'web' };
  const sw: ObservedSwarm = {
    manager: 'm1',
    clusterId: 'c1',
    defaultAddrPool: ['10.201.0.0/16'],
    nodes: names.map((m) => ({ id: `node-${m}`, hostname: m, addr: '', role: m === 'm1' ? 'manager' : 'worker', availability: 'active', state: 'ready', machine: m })),
    services: [{ id: 'svc-web', name: 'shop_web', version: 7, labels: { ...labels, [LABEL_CONFIG_HASH]: serviceConfigHash('shop', attrs) }, image: 'app:1', replicas: over.replicas ?? 3, running: 3 }],
    networks: [{ id: 'net-back', name: 'shop_back', labels: { ...labels, [LABEL_NAME]: 'back' } }],
    secrets: [{ id: 'sec-1', name: secretName, labels: { ...labels, [LABEL_NAME]: 'token' } }],
    configs: [],
  };
  observed.swarm = sw;
  state.swarm = { manager: 'm1', nodes: Object.fromEntries(names.map((m) => [m, { role: m === 'm1' ? 'manager' : 'worker', nodeId: `node-${m}` }])), objects: {} };
  state.swarm.objects['service.web'] = { kind: 'service', name: 'web', engineName: 'shop_web', id: 'svc-web', configHash: serviceConfigHash('shop', attrs), attributes: new Masker({ values: [] }).value(attrs) as Record<string, unknown> };
  return { state, observed };
}

const node = (nodes: PlanNode[], address: string): PlanNode => {
  const n = nodes.find((x) => x.address === address);
  if (!n) throw new Error(`no node ${address} in ${nodes.map((x) => x.address).join(', ')}`);
  return n;
};
const changes = (nodes: PlanNode[]): string[] => nodes.filter((n) => n.action !== 'noop').map((n) => `${n.action} ${n.address}`);

describe('plan: swarm', () => {
  it('a new swarm: init on the first manager with a pool clear of the machines, joins through it, then the service after everything it needs', () => {
    const p = plan(swarmFile(), emptyState(), { refreshed: true, machines: {} });
    const init = node(p.nodes, 'swarm.m1');
    expect(init.swarm).toEqual({ op: 'init', defaultAddrPool: ['10.201.0.0/16'], subnetSize: 24 });
    expect(init.reasons).toEqual(['initialise the swarm on the first manager; default address pool 10.201.0.0/16 (clear of 10.200.7.0/24)']);
    expect(init.dependsOn).toEqual(['machine.m1']);
    expect(node(p.nodes, 'swarm.w1')).toMatchObject({ action: 'create', reasons: ['join as worker through m1'], dependsOn: ['machine.w1', 'swarm.m1'], swarm: { op: 'join', role: 'worker', manager: 'm1' } });
    const svc = node(p.nodes, 'service.web');
    expect(svc.action).toBe('create');
    expect(svc.dependsOn).toEqual([
      'image.app:1[m1]', 'image.app:1[w1]', 'image.app:1[w2]', 'swarm-network.back', 'swarm-secret.token', 'swarm.m1', 'swarm.w1', 'swarm.w2',
    ]);
    expect(node(p.nodes, 'swarm-secret.token').swarm).toEqual({ op: 'object', objectKind: 'secret', engineName: 'shop_token_aaaaaaaaaaaa', digest: DIGEST });
  });

  it('an applied swarm plans no changes', () => {
    const d = swarmFile();
    const { state, observed } = applied(d);
    expect(changes(plan(d, state, observed).nodes)).toEqual([]);
  });

  it('a service scaled by hand shows as drift; a changed spec is diffed attribute by attribute', () => {
    const d = swarmFile();
    const { state, observed } = applied(d, { replicas: 2 });
    expect(node(plan(d, state, observed).nodes, 'service.web')).toMatchObject({ action: 'update', reasons: ['replicas changed outside mfile: 2 -> 3'], swarm: { serviceId: 'svc-web' } });
    const d2 = swarmFile(undefined, web({ replicas: 5 }, 'app:2'));
    const p2 = plan(d2, state, applied(d).observed);
    expect(node(p2.nodes, 'service.web').reasons).toEqual(['deploy.replicas changed: 3 -> 5', 'image changed: app:1 -> app:2']);
    expect(changes(p2.nodes)).toEqual(['create image.app:2[m1]', 'create image.app:2[w1]', 'create image.app:2[w2]', 'update service.web']);
  });

  it('a secret whose file changed: a new version before the update, the old one removed after it', () => {
    const d = swarmFile(undefined, web(), 'bbbbbbbbbbbb0000000000000000000b');
    const { state, observed } = applied(d, { secretDigest: DIGEST });
    const p = plan(d, state, observed);
    expect(changes(p.nodes)).toEqual(['update service.web', 'create swarm-secret.token', 'delete swarm-secret.token#aaaaaaaaaaaa']);
    expect(node(p.nodes, 'swarm-secret.token').reasons).toEqual(['content changed: a new version (the old one is removed once unused)']);
    expect(node(p.nodes, 'swarm-secret.token#aaaaaaaaaaaa').dependsOn).toEqual(['service.web']);
    expect(node(p.nodes, 'service.web').dependsOn).toContain('swarm-secret.token');
  });

  it('a worker removed from the file is drained and leaves before its machine is removed', () => {
    const { state, observed } = applied(swarmFile());
    const p = plan(swarmFile(['m1', 'w1']), state, observed);
    const leave = node(p.nodes, 'swarm.w2');
    expect(leave).toMatchObject({
      action: 'delete',
      reasons: ['machine w2 is removed from machines.yml', 'drain, leave, and remove the node through m1'],
      swarm: { op: 'leave', manager: 'm1', nodeId: 'node-w2', wasManager: false, last: false, machineReachable: true, machineRemoved: true },
    });
    expect(node(p.nodes, 'machine.w2').dependsOn).toContain('swarm.w2');
  });

  it('destroy: services go first, then the swarm objects, the workers leave, and the last manager leaves last', () => {
    const d = swarmFile();
    const { state, observed } = applied(d);
    const p = plan(d, state, observed, { destroy: true });
    expect(node(p.nodes, 'service.web').dependsOn).toEqual([]);
    expect(node(p.nodes, 'swarm-network.back').dependsOn).toEqual(['service.web']);
    expect(node(p.nodes, 'swarm.w1').dependsOn).toEqual(['service.web']);
    expect(node(p.nodes, 'swarm.m1')).toMatchObject({
      dependsOn: ['service.web', 'swarm-network.back', 'swarm-secret.token', 'swarm.w1', 'swarm.w2'],
      swarm: { op: 'leave', last: true, wasManager: true },
    });
    expect(node(p.nodes, 'machine.m1').dependsOn).toContain('swarm.m1');
  });

  it('the pool given in machines.yml is used as it is', () => {
    const d = swarmFile();
    d.swarm!.defaultAddrPool = ['10.213.168.0/22'];
    const p = plan(d, emptyState(), { refreshed: true, machines: {} });
    expect(node(p.nodes, 'swarm.m1').swarm).toEqual({ op: 'init', defaultAddrPool: ['10.213.168.0/22'], subnetSize: 24 });
    expect(p.warnings.filter((w) => w.startsWith('swarm:'))).toEqual([]);
  });

  it('a given pool that holds a machine\'s known address is still used as given, and the plan warns that apply will refuse it', () => {
    const d = swarmFile();
    d.swarm!.defaultAddrPool = ['10.200.0.0/16'];
    const p = plan(d, emptyState(), { refreshed: true, machines: {} });
    expect(node(p.nodes, 'swarm.m1').swarm).toEqual({ op: 'init', defaultAddrPool: ['10.200.0.0/16'], subnetSize: 24 });
    expect(p.warnings).toContain("swarm: default_addr_pool 10.200.0.0/16 overlaps the machines' addresses 10.200.7.0/24; apply refuses a machine that advertises an address inside it");
  });
});

describe('plan: swarm drift', () => {
  it('a node gone (its machine does not answer, the manager lists it down): the machine joins again and the stale node goes', () => {
    const d = swarmFile();
    const { state, observed } = applied(d);
    observed.machines.w2 = { name: 'w2', status: 'missing', containers: [], networks: [], volumes: [], images: [] };
    observed.swarm!.nodes.find((n) => n.id === 'node-w2')!.state = 'down';
    const p = plan(d, state, observed);
    expect(node(p.nodes, 'swarm.w2')).toMatchObject({
      action: 'create',
      reasons: ['its node node-w2 is down (the machine does not answer): it joins again and the stale node is removed', 'join as worker through m1'],
      swarm: { op: 'join', role: 'worker', manager: 'm1', staleNodeId: 'node-w2' },
    });
  });

  it('a machine that left the swarm by hand (it answers, inactive; the manager still lists its node): it joins again and the stale node goes', () => {
    const d = swarmFile();
    const { state, observed } = applied(d);
    observed.machines.w2.swarm = { state: 'inactive', isManager: false };
    observed.swarm!.nodes.find((n) => n.id === 'node-w2')!.state = 'down';
    const p = plan(d, state, observed);
    expect(node(p.nodes, 'swarm.w2')).toMatchObject({
      action: 'create',
      reasons: ['not in the swarm any more (it left; the manager still lists its node node-w2): it joins again and the stale node is removed', 'join as worker through m1'],
      swarm: { op: 'join', role: 'worker', manager: 'm1', staleNodeId: 'node-w2' },
    });
  });

  it('a machine that left by hand and leaves the file: its stale node is removed through the manager', () => {
    const { state, observed } = applied(swarmFile());
    observed.machines.w2.swarm = { state: 'inactive', isManager: false };
    observed.swarm!.nodes.find((n) => n.id === 'node-w2')!.state = 'down';
    const p = plan(swarmFile(['m1', 'w1']), state, observed);
    expect(node(p.nodes, 'swarm.w2')).toMatchObject({
      action: 'delete',
      reasons: ['machine w2 is removed from machines.yml', 'drain, leave, and remove the node through m1'],
      swarm: { op: 'leave', manager: 'm1', nodeId: 'node-w2' },
    });
  });
});
