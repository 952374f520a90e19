// `mfile state mv` beyond containers: a network or volume whose engine name machines.yml keeps, and an adopted
// machine with every object on it. After the move the next plan keeps them (found by the ids the records hold);
// a move that would lose them is refused in one line.
import { describe, expect, it } from 'vitest';
import { plan } from '../../src/plan/index.js';
import { moveRecord, type MoveChecks } from '../../src/state/state-edit.js';
import type { Desired } from '../../src/model/index.js';
import { clone, container, converged, desired, machine, network, volume } from './fixtures.js';

const d = desired({
  machines: [machine('m1', { driver: 'generic' })],
  containers: [container('web', { networks: { back: { aliases: [] } }, volumes: [{ type: 'volume', source: 'data', target: '/data', read_only: false }] })],
  networks: [network('back')],
  volumes: [volume('data')],
});

const checks = (cfg: Desired): MoveChecks => ({
  engineNameInConfig: (kind, name) => {
    const s = kind === 'network' ? cfg.networks[name] : cfg.volumes[name];
    return s ? (s.engineName ?? `${cfg.project}_${name}`) : undefined;
  },
  engineNameOf: (kind, rec) => (kind === 'volume' ? rec.id! : `shop_${rec.name}`),
  driverCreatesHost: (driver) => driver === 'sandbox',
});

const changes = (cfg: Desired, ...args: Parameters<typeof plan>[1 | 2][]): string[] =>
  plan(cfg, args[0] as Parameters<typeof plan>[1], args[1] as Parameters<typeof plan>[2]).nodes.filter((n) => n.action !== 'noop' && n.action !== 'read').map((n) => `${n.action} ${n.address}`);

describe('state mv of networks, volumes and machines', () => {
  it('moves a network and a volume renamed in machines.yml with their engine names kept: the next plan changes nothing', () => {
    const { state, observed } = converged(d);
    const next = clone(d);
    next.networks.front = { ...next.networks.back, name: 'front', engineName: 'shop_back' };
    delete next.networks.back;
    next.volumes.store = { ...next.volumes.data, name: 'store', engineName: 'shop_data' };
    delete next.volumes.data;
    next.containers.web.networks = { front: { aliases: [] } };
    next.containers.web.volumes = [{ type: 'volume', source: 'store', target: '/data', read_only: false }];
    // The container's config changed with the rename (network and volume names): only it is replaced.
    expect(moveRecord(state, 'network.back[m1]', 'network.front[m1]', checks(next))).toEqual([['network.back[m1]', 'network.front[m1]']]);
    moveRecord(state, 'volume.data[m1]', 'volume.store[m1]', checks(next));
    expect(changes(next, state, observed)).toEqual(['replace container.web[m1]']);
  });

  it('refuses a network or volume move that would make machines.yml look for another engine name', () => {
    const { state } = converged(d);
    const next = clone(d);
    next.networks.front = { ...next.networks.back, name: 'front' };
    expect(() => moveRecord(state, 'network.back[m1]', 'network.front[m1]', checks(next))).toThrow(
      'cannot move network.back[m1] to network.front[m1]: the engine knows the network as shop_back, machines.yml would look for shop_front; add name: shop_back under networks.front first',
    );
    expect(() => moveRecord(state, 'volume.data[m1]', 'volume.nope[m1]', checks(next))).toThrow('machines.yml does not declare volumes.nope');
    expect(() => moveRecord(state, 'volume.data[m1]', 'volume.data[m2]', checks(next))).toThrow('the volume is on m1, not on m2');
    expect(state.objects['network.back[m1]']).toBeDefined();
  });

  it('moves an adopted machine with every object on it: the next plan changes nothing', () => {
    const { state, observed } = converged(d);
    const next = clone(d);
    next.machines.edge = { ...next.machines.m1, name: 'edge' };
    delete next.machines.m1;
    next.containers.web.machines = ['edge'];
    const moved = moveRecord(state, 'machine.m1', 'machine.edge', checks(next));
    expect(moved).toEqual([
      ['machine.m1', 'machine.edge'],
      ['container.web[m1]', 'container.web[edge]'],
      ['network.back[m1]', 'network.back[edge]'],
      ['volume.data[m1]', 'volume.data[edge]'],
    ]);
    expect(Object.values(state.objects).map((o) => o.machine)).toEqual(['edge', 'edge', 'edge']);
    // The engine answers for the machine under its new name; its objects still carry the old machine label.
    const obs = { ...observed, machines: { edge: { ...observed.machines.m1, name: 'edge' } } };
    expect(changes(next, state, obs)).toEqual([]);
  });

  it('refuses to move a machine whose driver made the host under its name', () => {
    const { state } = converged(d);
    state.machines.m1.driver = 'sandbox';
    expect(() => moveRecord(state, 'machine.m1', 'machine.edge', checks(d))).toThrow(
      'cannot move machine.m1: driver sandbox made the host under the name m1; renaming the record cannot rename the host',
    );
  });
});
