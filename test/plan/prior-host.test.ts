// A machine node that may remove a host carries the prior record's address and pinned keys, so apply removes
// the host the state knows, not whatever machines.yml names now.
import { describe, expect, it } from 'vitest';
import type { MachineRecord } from '../../src/model/index.js';
import { plan } from '../../src/plan/index.js';
import { converged, desired, machine, notRefreshed } from './fixtures.js';

const genericAt = (host: string) => machine('g', { driver: 'generic', driverOptions: { host, user: 'root' } });

function appliedAt(host: string): ReturnType<typeof converged> {
  const c = converged(desired({ machines: [genericAt(host)] }));
  const rec: MachineRecord = c.state.machines.g;
  rec.driverData = { host, port: 22 };
  rec.ssh = { host, port: 22, user: 'root', identityFile: '/k/old', jump: { host: 'bastion', port: 22, user: 'ops' } };
  rec.hostKeyFingerprint = 'SHA256:old-host';
  rec.jumpHostKeyFingerprint = 'SHA256:old-jump';
  return c;
}

describe('the prior host on machine nodes', () => {
  it('a replace for a new address carries the old address and pins', () => {
    const { state } = appliedAt('10.0.0.1');
    const node = plan(desired({ machines: [genericAt('10.0.0.2')] }), state, notRefreshed).nodes.find((n) => n.address === 'machine.g')!;
    expect(node.action).toBe('replace');
    expect(node.priorHost).toEqual({
      driverData: { host: '10.0.0.1', port: 22 },
      ssh: { host: '10.0.0.1', port: 22, user: 'root', identityFile: '/k/old', jump: { host: 'bastion', port: 22, user: 'ops' } },
      hostKeyFingerprint: 'SHA256:old-host',
      jumpHostKeyFingerprint: 'SHA256:old-jump',
    });
  });

  it('a delete carries them too; a noop carries none', () => {
    const { state } = appliedAt('10.0.0.1');
    const gone = plan(desired({ machines: [] }), state, notRefreshed).nodes.find((n) => n.address === 'machine.g')!;
    expect(gone.action).toBe('delete');
    expect(gone.priorHost?.ssh?.host).toBe('10.0.0.1');
    expect(gone.priorHost?.hostKeyFingerprint).toBe('SHA256:old-host');
    const same = plan(desired({ machines: [genericAt('10.0.0.1')] }), state, notRefreshed).nodes.find((n) => n.address === 'machine.g')!;
    expect(same.action).toBe('noop');
    expect(same.priorHost).toBeUndefined();
  });
});
