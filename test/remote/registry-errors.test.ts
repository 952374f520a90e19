// A registry failure becomes one line naming the registry, the image and the machine, from the engine's words
// (dockerd 20.10 talking to distribution 2.8, as the end-to-end test meets them); never the password.
import { describe, expect, it } from 'vitest';
import { authConfig, registryFailure, type FailureContext } from '../../src/remote/docker/registry.js';

const registry = { name: 'priv', address: '10.0.0.1:5443', username: 'bob', password: 'pw-secret-1', caFile: '/srv/ca.crt' };
const ctx = (over: Partial<FailureContext> = {}): FailureContext => ({ registry, ref: '10.0.0.1:5443/team/app:1', machine: 'm2', provisioned: true, doing: 'pull', ...over });
const engineError = (message: string): Error => Object.assign(new Error(`(HTTP code 500) server error - ${message}`), { statusCode: 500, json: { message } });

describe('registry failures', () => {
  it('wrong password', () => {
    const line = registryFailure(engineError('Head "https://10.0.0.1:5443/v2/team/app/manifests/1": unauthorized: authentication required'), ctx());
    expect(line).toBe('registry priv (10.0.0.1:5443) refused the credentials to pull 10.0.0.1:5443/team/app:1 (wrong username or password for user bob)');
  });

  it('no credentials given', () => {
    const line = registryFailure(engineError('Head "https://10.0.0.1:5443/v2/team/app/manifests/1": no basic auth credentials'), ctx({ registry: { name: 'priv', address: '10.0.0.1:5443' } }));
    expect(line).toBe('registry priv (10.0.0.1:5443) asks for credentials to pull 10.0.0.1:5443/team/app:1: give registries.priv.username and password');
  });

  it('unknown image', () => {
    const line = registryFailure(engineError('manifest for 10.0.0.1:5443/team/app:1 not found: manifest unknown: manifest unknown'), ctx());
    expect(line).toBe('image 10.0.0.1:5443/team/app:1 is not in registry priv (10.0.0.1:5443) (pull on machine m2)');
  });

  it('registry down', () => {
    const line = registryFailure(engineError('Get "https://10.0.0.1:5443/v2/": dial tcp 10.0.0.1:5443: connect: connection refused'), ctx());
    expect(line).toMatch(/^registry priv \(10\.0\.0\.1:5443\) is down or unreachable from machine m2 \(pull 10\.0\.0\.1:5443\/team\/app:1\): .*connection refused$/);
  });

  it('untrusted certificate: which CA to give, and where mfile puts it', () => {
    const msg = 'Get "https://10.0.0.1:5443/v2/": x509: certificate signed by unknown authority';
    expect(registryFailure(engineError(msg), ctx({ registry: { name: 'priv', address: '10.0.0.1:5443' } }))).toBe(
      'machine m2 does not trust the certificate of registry priv (10.0.0.1:5443): give the CA that signed it as registries.priv.ca_file (mfile puts it at /etc/docker/certs.d/10.0.0.1:5443/ca.crt)',
    );
    expect(registryFailure(engineError(msg), ctx())).toBe(
      'machine m2 does not trust the certificate of registry priv (10.0.0.1:5443): /srv/ca.crt (registries.priv.ca_file) did not sign it; give the CA that did',
    );
    expect(registryFailure(engineError(msg), ctx({ provisioned: false }))).toContain('put the CA that signed it at /etc/docker/certs.d/10.0.0.1:5443/ca.crt on that engine');
  });

  it('credentials go only into the auth config of the call', () => {
    expect(authConfig(registry)).toEqual({ username: 'bob', password: 'pw-secret-1', serveraddress: '10.0.0.1:5443' });
    expect(authConfig({ name: 'open', address: 'r.example.com' })).toBeUndefined();
  });
});
