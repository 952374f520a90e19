// Two planner rules for hosts: `tls: false` is flagged as insecure, and a host whose engine died (the host
// answers, the engine does not) is re-provisioned so that provisioning starts the engine again.
import { describe, expect, it } from 'vitest';
import { plan, renderPlanText } from '../../src/plan/index.js';
import { converged, desired, machine } from './fixtures.js';

describe('tls: false', () => {
  it('is an insecure warning for sandbox, generic and a plain tcp:// none engine, and for nothing else', () => {
    const d = desired({
      machines: [
        machine('plain', { tls: { enabled: false, san: [] } }),
        machine('safe'),
        machine('viassh', { tls: { enabled: false, san: [] }, engine: { ...machine('x').engine, transport: 'ssh' } }),
        machine('remote', { driver: 'none', driverOptions: { url: 'tcp://10.0.0.9:2375' }, tls: { enabled: false, san: [] } }),
        machine('sock', { driver: 'none', driverOptions: { url: 'unix:///var/run/docker.sock' }, tls: { enabled: false, san: [] } }),
      ],
    });
    const { state, observed } = converged(d);
    const p = plan(d, state, observed);
    const insecure = p.warnings.filter((w) => w.includes('insecure'));
    expect(insecure.map((w) => w.split(':')[0]).sort()).toEqual(['machine plain', 'machine remote']);
    expect(renderPlanText(p)).toMatch(/^Warning: machine plain: tls: false is insecure/m);
    // The URL is not repeated: it may carry a sensitive variable.
    expect(insecure.join('\n')).not.toContain('10.0.0.9');
  });
});

describe('a host whose engine does not answer', () => {
  it('is planned as an update (re-provision), only when the host itself answered', () => {
    const d = desired({ machines: [machine('dead'), machine('gone')] });
    const { state, observed } = converged(d);
    observed.machines.dead = { ...observed.machines.dead, status: 'error', error: 'dead: engine unreachable: ECONNREFUSED', engineDown: true };
    observed.machines.gone = { ...observed.machines.gone, status: 'error', error: 'gone: sshd does not answer' };
    const byAddress = Object.fromEntries(plan(d, state, observed).nodes.map((n) => [n.address, n]));
    expect(byAddress['machine.dead'].action).toBe('update');
    expect(byAddress['machine.dead'].reasons).toEqual(['engine does not answer - re-provision to start it']);
    expect(byAddress['machine.gone'].action).toBe('noop');
  });
});
