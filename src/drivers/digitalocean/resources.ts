// The machine's SSH key and firewall on DigitalOcean. Neither takes tags, so both are found by their name
// (mfile-PROJECT-MACHINE), adopted after a crash, and deleted with the machine.
import { DriverError } from '../../errors.js';
import { adoptOrCreate } from '../cloud/adopt.js';
import { sameKey } from '../cloud/machine-key.js';
import { call, callOrGone, type DoClient, type DoSshKey } from './client.js';
import type { DigitalOceanOptions } from './options.js';
import { listAll } from './pages.js';

export interface Owner {
  machine: string;
  /** mfile-PROJECT-MACHINE: the key's and firewall's name, and the Droplet's. */
  name: string;
  /** The project and machine as tags (`mfile-project:shop`). */
  tags: string[];
  log?: (line: string) => void;
}

export interface DoFirewall {
  id: string;
  name: string;
}

export async function keysOf(api: DoClient, o: Owner): Promise<DoSshKey[]> {
  const keys = await listAll(o.machine, 'list SSH keys', (page) => api.GET('/v2/account/keys', { params: { query: { per_page: 200, page } } }), (b) => b.ssh_keys);
  return keys.filter((k) => k.name === o.name);
}

export async function firewallsOf(api: DoClient, o: Owner): Promise<DoFirewall[]> {
  const all = await listAll(o.machine, 'list firewalls', (page) => api.GET('/v2/firewalls', { params: { query: { per_page: 200, page } } }), (b) => b.firewalls);
  return all.filter((f): f is DoFirewall => f.name === o.name && typeof f.id === 'string');
}

export async function deleteKey(api: DoClient, machine: string, id: number): Promise<void> {
  await callOrGone(machine, `delete SSH key ${id}`, api.DELETE('/v2/account/keys/{ssh_key_identifier}', { params: { path: { ssh_key_identifier: id } } }));
}

export async function deleteFirewall(api: DoClient, machine: string, id: string): Promise<void> {
  await callOrGone(machine, `delete firewall ${id}`, api.DELETE('/v2/firewalls/{firewall_id}', { params: { path: { firewall_id: id } } }));
}

export async function ensureKey(api: DoClient, o: Owner, publicKey: string): Promise<DoSshKey & { id: number }> {
  const r = await adoptOrCreate({
    machine: o.machine,
    kind: 'SSH key',
    log: o.log,
    find: () => keysOf(api, o),
    fits: (k) => sameKey(k.public_key, publicKey),
    discard: (k) => deleteKey(api, o.machine, k.id!),
    create: async () => {
      const made = (await call(o.machine, 'create SSH key', api.POST('/v2/account/keys', { body: { name: o.name, public_key: publicKey } }))).ssh_key;
      if (!made) throw new DriverError(o.machine, 'digitalocean API create SSH key: the answer holds no key');
      return made;
    },
  });
  if (typeof r.value.id !== 'number') throw new DriverError(o.machine, 'digitalocean API: an SSH key without an id');
  return r.value as DoSshKey & { id: number };
}

/** Made after the Droplet, for it alone (a tag-wide firewall would reach other projects' Droplets). */
export async function ensureFirewall(api: DoClient, o: Owner, opts: DigitalOceanOptions, dropletId: number, enginePort: number | undefined): Promise<DoFirewall> {
  const inbound = (port: number, addresses: string[]) => ({ protocol: 'tcp' as const, ports: String(port), sources: { addresses } });
  const all = { addresses: ['0.0.0.0/0', '::/0'] };
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
          api.POST('/v2/firewalls', {
            body: {
              name: o.name,
              droplet_ids: [dropletId],
              inbound_rules: [inbound(22, opts.sshSources), ...(enginePort ? [inbound(enginePort, opts.engineSources)] : [])],
              outbound_rules: [
                { protocol: 'tcp', ports: '0', destinations: all },
                { protocol: 'udp', ports: '0', destinations: all },
                { protocol: 'icmp', ports: '0', destinations: all },
              ],
            },
          }),
        )
      ).firewall;
      if (!made?.id) throw new DriverError(o.machine, 'digitalocean API create firewall: the answer holds no firewall');
      return made as DoFirewall;
    },
  });
  return r.value;
}
