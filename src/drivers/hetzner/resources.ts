// The machine's SSH key and firewall on Hetzner Cloud: found by the machine's labels (adopted after a crash) or
// created, and deleted with the machine.
import { DriverError } from '../../errors.js';
import { adoptOrCreate, labelSelector } from '../cloud/adopt.js';
import { sameKey } from '../cloud/machine-key.js';
import { call, callOrGone, type Firewall, type HetznerClient, type SshKey } from './client.js';
import type { HetznerOptions } from './options.js';
import { listAll } from './pages.js';

export interface Owner {
  machine: string;
  name: string;
  labels: Record<string, string>;
  log?: (line: string) => void;
}

export async function keysOf(api: HetznerClient, o: Owner): Promise<SshKey[]> {
  return listAll(o.machine, 'list SSH keys', (page) => api.GET('/ssh_keys', { params: { query: { label_selector: labelSelector(o.labels), per_page: 50, page } } }), (b) => b.ssh_keys);
}

export async function firewallsOf(api: HetznerClient, o: Owner): Promise<Firewall[]> {
  return listAll(o.machine, 'list firewalls', (page) => api.GET('/firewalls', { params: { query: { label_selector: labelSelector(o.labels), per_page: 50, page } } }), (b) => b.firewalls);
}

export async function deleteKey(api: HetznerClient, machine: string, id: number): Promise<void> {
  await callOrGone(machine, `delete SSH key ${id}`, api.DELETE('/ssh_keys/{id}', { params: { path: { id } } }));
}

export async function deleteFirewall(api: HetznerClient, machine: string, id: number): Promise<void> {
  await callOrGone(machine, `delete firewall ${id}`, api.DELETE('/firewalls/{id}', { params: { path: { id } } }));
}

export async function ensureKey(api: HetznerClient, o: Owner, publicKey: string): Promise<SshKey> {
  const r = await adoptOrCreate({
    machine: o.machine,
    kind: 'SSH key',
    log: o.log,
    find: () => keysOf(api, o),
    // A key from an earlier run whose private half is gone here: no use, and it would block the name.
    fits: (k) => sameKey(k.public_key, publicKey),
    discard: (k) => deleteKey(api, o.machine, k.id),
    create: async () =>
      (await call(o.machine, 'create SSH key', api.POST('/ssh_keys', { body: { name: o.name, public_key: publicKey, labels: o.labels } }))).ssh_key,
  });
  return r.value;
}

export async function ensureFirewall(api: HetznerClient, o: Owner, opts: HetznerOptions, enginePort: number | undefined): Promise<Firewall> {
  const rule = (port: number, sources: string[], description: string) => ({ direction: 'in' as const, protocol: 'tcp' as const, port: String(port), source_ips: sources, description });
  const r = await adoptOrCreate({
    machine: o.machine,
    kind: 'firewall',
    log: o.log,
    find: () => firewallsOf(api, o),
    create: async () => {
      const made = (
        await call(
          o.machine,
          'create firewall',
          api.POST('/firewalls', {
            body: {
              name: o.name,
              labels: o.labels,
              rules: [rule(22, opts.sshSources, 'SSH'), ...(enginePort ? [rule(enginePort, opts.engineSources, 'Docker API (mutual TLS)')] : [])],
            },
          }),
        )
      ).firewall;
      if (!made) throw new DriverError(o.machine, 'hetzner API create firewall: the answer holds no firewall');
      return made;
    },
  });
  return r.value;
}
