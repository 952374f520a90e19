// Destroying a network right after its containers: dockerd may still hold a removed container's endpoint for a
// moment ("has active endpoints"). The network step tries again while every container it lists is gone, and
// still refuses at once when a container that exists is attached.
import { describe, expect, it } from 'vitest';
import { applyPlan } from '../../src/apply/index.js';
import type { Connections } from '../../src/apply/connections.js';
import { desiredOf, freshState, memoryStore, networkSpec, node, planOf } from '../helpers/fixtures.js';

const inUse = Object.assign(new Error('(HTTP code 403) unexpected - error while removing network: network p_net id abc has active endpoints'), { statusCode: 403 });
const notFound = Object.assign(new Error('(HTTP code 404) no such container'), { statusCode: 404 });

/** An engine whose network refuses removal `busyTimes` times, listing `attached` (existing when `exists`). */
function engine(busyTimes: number, attached: string, exists: boolean) {
  const calls = { remove: 0 };
  const docker = {
    getNetwork: () => ({
      remove: async () => {
        calls.remove++;
        if (calls.remove <= busyTimes) throw inUse;
      },
      inspect: async () => ({ Containers: { [attached]: { Name: 'p-web' } } }),
    }),
    getContainer: () => ({
      inspect: async () => {
        if (!exists) throw notFound;
        return { Id: attached };
      },
    }),
  };
  return { calls, conns: { docker: async () => docker, closeAll: async () => {} } as unknown as Connections };
}

async function destroyNetwork(conns: Connections) {
  const desired = desiredOf('p', { networks: [networkSpec('net')] });
  const state = freshState();
  state.objects['network.net[m1]'] = { address: 'network.net[m1]', kind: 'network', machine: 'm1', name: 'net', id: 'abc', status: 'created', attributes: {}, updatedAt: '' };
  return applyPlan({
    plan: planOf([node('network.net[m1]', 'delete', [], { name: 'net', existingId: 'abc' })], 'p'),
    desired: { ...desired, networks: {} },
    store: memoryStore(),
    state,
    conns,
    parallelism: 1,
    perMachine: 1,
    sink: () => undefined,
    signal: new AbortController().signal,
  });
}

describe('removing a network whose containers were just removed', () => {
  it('is removed once the engine lets go of the endpoints of containers that are gone', async () => {
    const { calls, conns } = engine(3, 'c0ffee', false);
    const result = await destroyNetwork(conns);
    expect(result.failed).toEqual([]);
    expect(result.state.objects['network.net[m1]']).toBeUndefined();
    expect(calls.remove).toBe(4);
  });

  it('fails at once, naming the network, while a container that exists is attached', async () => {
    const { calls, conns } = engine(100, 'c0ffee', true);
    const result = await destroyNetwork(conns);
    expect(result.failed).toEqual([{ address: 'network.net[m1]', error: expect.stringMatching(/^network abc still has containers attached: .*active endpoints/) }]);
    expect(calls.remove).toBe(1);
    expect(result.state.objects['network.net[m1]']?.id).toBe('abc');
  });
});
