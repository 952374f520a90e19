// The planner settles everything a step needs and puts it in the node: apply carries it out and decides nothing.
import { describe, expect, it } from 'vitest';
import type { PlanNode } from '../../src/model/index.js';
import { containerConfigHash, engineConfigHash, networkConfigHash, plan, planToJson, renderPlanText, volumeConfigHash } from '../../src/plan/index.js';
import { clone, container, converged, desired, emptyState, machine, network, notRefreshed, volume } from './fixtures.js';

const byAddress = (nodes: PlanNode[], address: string): PlanNode => {
  const n = nodes.find((x) => x.address === address);
  if (!n) throw new Error(`no node ${address} in ${nodes.map((x) => x.address).join(', ')}`);
  return n;
};

describe('node data for the steps', () => {
  it('carries the config hash each object is stamped with, and the engine hash of a provisioned machine', () => {
    const d = desired({
      machines: [machine('m1'), machine('here', { driver: 'local', driverOptions: {} })],
      containers: [container('web', { networks: { back: { aliases: [] } }, volumes: [{ type: 'volume', source: 'data', target: '/d', read_only: false }] })],
      networks: [network('back')],
      volumes: [volume('data')],
    });
    const nodes = plan(d, emptyState(), notRefreshed).nodes;
    expect(byAddress(nodes, 'container.web[m1]').configHash).toBe(containerConfigHash(d.containers.web, 'shop'));
    expect(byAddress(nodes, 'network.back[m1]').configHash).toBe(networkConfigHash(d.networks.back, 'shop'));
    expect(byAddress(nodes, 'volume.data[m1]').configHash).toBe(volumeConfigHash(d.volumes.data, 'shop'));
    expect(byAddress(nodes, 'machine.m1').configHash).toBe(engineConfigHash(d.machines.m1));
    expect(byAddress(nodes, 'machine.m1').driverOptions).toEqual({ region: 'eu-1' });
    // mfile does not provision a local engine: there is no engine hash to write.
    expect(byAddress(nodes, 'machine.here').configHash).toBeUndefined();
  });

  it('a container planned from the state (its engine did not answer) has its step settle leftovers; a live one not', () => {
    const d = desired({ machines: [machine('m1')], containers: [container('web'), container('api')] });
    const { state, observed } = converged(d);
    const next = clone(d);
    next.containers.web.image = 'nginx:1.28';
    const down = { ...observed, machines: { m1: { ...observed.machines.m1, status: 'error' as const, engineDown: true, containers: [] } } };
    const fromState = plan(next, state, down).nodes;
    expect(byAddress(fromState, 'container.web[m1]')).toMatchObject({ action: 'replace', settleLeftovers: true });
    expect(byAddress(fromState, 'container.api[m1]').action).toBe('noop');
    const live = plan(next, state, observed).nodes;
    expect(byAddress(live, 'container.web[m1]').action).toBe('replace');
    expect(byAddress(live, 'container.web[m1]').settleLeftovers).toBeUndefined();
  });

  it('carries what refresh found a qemu create will choose (the accelerator), shows it, and says when it was not probed', () => {
    const d = desired({ machines: [machine('vm', { driver: 'qemu', driverOptions: { image: '/d.qcow2' } })] });
    const probed = { summary: 'tcg: a KVM probe guest did not run within 5 s', values: { accel: 'tcg', accelReason: 'a KVM probe guest did not run within 5 s' } };
    const observed = { refreshed: true, machines: { vm: { name: 'vm', status: 'missing' as const, containers: [], networks: [], volumes: [], images: [], createChoices: probed } } };
    const p = plan(d, emptyState(), observed);
    expect(byAddress(p.nodes, 'machine.vm').createChoices).toEqual(probed);
    expect(renderPlanText(p)).toContain('\n  + machine.vm (tcg: a KVM probe guest did not run within 5 s)\n');
    expect(planToJson(p).nodes.find((n) => n.address === 'machine.vm')?.create_choices).toEqual(probed);
    // --refresh=false: nothing was probed, and the plan says the create decides.
    const unprobed = plan(d, emptyState(), notRefreshed);
    expect(byAddress(unprobed.nodes, 'machine.vm').createChoices).toEqual({ summary: 'not probed (--refresh=false): decided when it is created', values: {} });
    expect(renderPlanText(unprobed)).toContain('  + machine.vm (not probed (--refresh=false): decided when it is created)\n');
    // A driver without such a choice gets none.
    expect(byAddress(plan(desired({ machines: [machine('m1')] }), emptyState(), notRefreshed).nodes, 'machine.m1').createChoices).toBeUndefined();
  });

  it('settles a replacement: stop first for published ports and fixed addresses (masked), else start first', () => {
    const d = desired({
      machines: [machine('m1')],
      containers: [
        container('web', { ports: [{ target: 80, published: '8080', protocol: 'tcp' }] }),
        container('db', { networks: { back: { aliases: [], ipv4_address: '10.9.0.7' } } }),
        container('worker'),
      ],
      networks: [network('back')],
      sensitiveValues: ['10.9.0.7'],
    });
    const { state, observed } = converged(d);
    const next = clone(d);
    for (const c of Object.values(next.containers)) c.image = 'nginx:1.28';
    const p = plan(next, state, observed);
    expect(byAddress(p.nodes, 'container.web[m1]').replaceStrategy).toEqual({ kind: 'stop-first', because: ['published port 8080'] });
    expect(byAddress(p.nodes, 'container.db[m1]').replaceStrategy).toEqual({ kind: 'stop-first', because: ['fixed address (sensitive) on back'] });
    expect(byAddress(p.nodes, 'container.worker[m1]').replaceStrategy).toEqual({ kind: 'start-first' });
    const text = renderPlanText(p);
    expect(text).toContain('  # replace: stop the old container first (published port 8080)\n-/+ container.web[m1]\n');
    expect(text).toContain('  # replace: start the new container first, then remove the old one\n-/+ container.worker[m1]\n');
    expect(planToJson(p).nodes.find((n) => n.address === 'container.web[m1]')?.replace_strategy).toEqual({ kind: 'stop-first', because: ['published port 8080'] });
    for (const out of [text, JSON.stringify(p)]) expect(out).not.toContain('10.9.0.7');
  });

  it('settles the pull policy of an image once: the strongest among its users, with the container to build from', () => {
    const d = desired({
      machines: [machine('m1')],
      containers: [
        container('a', { image: 'nginx:1.27', pull_policy: 'missing' }),
        container('b', { image: 'nginx:1.27', pull_policy: 'always' }),
        container('app', { image: 'shop/app:1', pull_policy: 'missing', build: { context: '.', args: {} } }),
      ],
    });
    const nodes = plan(d, emptyState(), notRefreshed).nodes;
    expect(byAddress(nodes, 'image.nginx:1.27[m1]').image).toEqual({ ref: 'nginx:1.27', pullPolicy: 'always' });
    expect(byAddress(nodes, 'image.shop/app:1[m1]').image).toEqual({ ref: 'shop/app:1', pullPolicy: 'missing', buildFrom: 'app' });
  });

  it('names the container whose image a sensitive reference is, never the reference', () => {
    const secret = 'tok-77aa';
    const d = desired({ machines: [machine('m1')], containers: [container('app', { image: `registry.example.com/${secret}/app:1` })], sensitiveValues: [secret] });
    d.sensitiveDigests = [[secret, 'c3'.repeat(32)]];
    const p = plan(d, emptyState(), notRefreshed);
    const image = p.nodes.find((n) => n.kind === 'image')!;
    expect(image.image).toEqual({ refFrom: 'app', pullPolicy: 'missing' });
    expect(JSON.stringify(p)).not.toContain(secret);
  });

  it('settles where a container waits for each dependency: its own machine when the dependency runs there', () => {
    const d = desired({
      machines: [machine('m1'), machine('m2')],
      containers: [
        container('db', { machines: ['m2'] }),
        container('cache', { machines: ['m1', 'm2'] }),
        container('web', { machines: ['m1'], depends_on: { db: { condition: 'service_healthy', required: true, restart: false }, cache: { condition: 'service_started', required: true, restart: false } } }),
      ],
    });
    const web = byAddress(plan(d, emptyState(), notRefreshed).nodes, 'container.web[m1]');
    expect(web.waitFor).toEqual([
      { container: 'cache', machine: 'm1' },
      { container: 'db', machine: 'm2' },
    ]);
  });
});
