// Objects adopted by `mfile import` carry none of mfile's labels: the planner finds them by the id their record
// holds, keeps one that matched machines.yml, and replaces one that did not, saying how it differs.
import { describe, expect, it } from 'vitest';
import { plan } from '../../src/plan/index.js';
import { liveDifferences, subsetDifferences } from '../../src/remote/docker/live-compare.js';
import { containerCreateOptions } from '../../src/remote/docker/container-config.js';
import { container, converged, desired, machine, network } from './fixtures.js';

const d = desired({ machines: [machine('m1')], containers: [container('web', { networks: { back: { aliases: [] } } })], networks: [network('back')] });

/** The converged state, with every object's labels taken away (as on objects mfile did not create). */
function importedFixture(): ReturnType<typeof converged> {
  const c = converged(d);
  for (const m of Object.values(c.observed.machines)) {
    for (const o of [...m.containers, ...m.networks, ...m.volumes]) o.labels = {};
  }
  return c;
}

describe('imported records', () => {
  it('keep an unlabelled object whose import matched machines.yml: no change', () => {
    const { state, observed } = importedFixture();
    const p = plan(d, state, observed);
    expect(p.nodes.filter((n) => n.action !== 'noop' && n.action !== 'read').map((n) => n.address)).toEqual([]);
    expect(p.nodes.find((n) => n.address === 'container.web[m1]')?.action).toBe('noop');
    expect(p.nodes.find((n) => n.address === 'network.back[m1]')?.action).toBe('noop');
  });

  it('replace a container whose import found differences, giving each as the reason', () => {
    const { state, observed } = importedFixture();
    state.objects['container.web[m1]'] = { ...state.objects['container.web[m1]'], configHash: 'imported', importDiff: ['HostConfig.Memory: 0 (file: 67108864)'] };
    const node = plan(d, state, observed).nodes.find((n) => n.address === 'container.web[m1]');
    expect(node?.action).toBe('replace');
    expect(node?.reasons).toEqual(['differs from machines.yml since import: HostConfig.Memory: 0 (file: 67108864)']);
  });

  it('leave an unlabelled object with no record alone (it is not mfile\'s)', () => {
    const { state, observed } = importedFixture();
    delete state.objects['container.web[m1]'];
    const node = plan(d, state, observed).nodes.find((n) => n.address === 'container.web[m1]');
    expect(node?.action).toBe('create');
    expect(plan(d, state, observed).nodes.some((n) => n.action === 'delete')).toBe(false);
  });
});

describe('comparing a live container with machines.yml', () => {
  const spec = d.containers.web;
  const create = containerCreateOptions(spec, {
    project: 'shop', machine: 'm1', configHash: 'h', engineName: 'shop-web',
    networkName: (n) => `shop_${n}`, volumeName: (v) => `shop_${v}`, containerName: (c) => `shop-${c}`,
  });
  const live = {
    Name: '/shop-web',
    Config: { Image: 'nginx:1.27', Env: ['PATH=/usr/bin'], Labels: {}, Tty: false, OpenStdin: false },
    HostConfig: { RestartPolicy: { Name: 'unless-stopped', MaximumRetryCount: 0 }, ReadonlyRootfs: false, Privileged: false, NetworkMode: 'shop_back', Memory: 0 },
    NetworkSettings: { Networks: { shop_back: {} } },
  };

  const own = ['io.mfile.project', 'io.mfile.machine', 'io.mfile.name', 'io.mfile.config-hash'];

  it('finds no difference where the engine holds what the file asks (engine defaults aside)', () => {
    expect(liveDifferences(create, live, own)).toEqual([]);
  });

  it('names each field that differs, with the live value and the file\'s', () => {
    const other = { ...live, Name: '/legacy', Config: { ...live.Config, Image: 'nginx:1.26' }, NetworkSettings: { Networks: { bridge: {} } } };
    expect(liveDifferences(create, other, own)).toEqual([
      'Name: "legacy" (file: "shop-web")',
      'Config.Image: "nginx:1.26" (file: "nginx:1.27")',
      'networks: ["bridge"] (file: ["shop_back"])',
    ]);
  });

  it('compares network and volume attributes key by key', () => {
    expect(subsetDifferences({ driver: 'bridge', internal: true }, { driver: 'bridge' })).toEqual([]);
    expect(subsetDifferences({ driver: 'bridge' }, { driver: 'bridge', internal: true })).toEqual(['internal: unset (file: true)']);
  });
});
