// The machine's Droplet: find by its tags or create, wait for a state, power actions, destroy.
import { DriverError } from '../../errors.js';
import { adoptOrCreate } from '../cloud/adopt.js';
import { secondsFromEnv, waitFor } from '../cloud/wait.js';
import { call, callOrGone, type DoAction, type DoClient, type Droplet } from './client.js';
import type { DigitalOceanOptions } from './options.js';
import { listAll } from './pages.js';
import type { Owner } from './resources.js';

const waitTimeoutMs = (): number => secondsFromEnv('MFILE_CLOUD_WAIT_TIMEOUT', 600_000);
const pollMs = (): number => secondsFromEnv('MFILE_CLOUD_POLL_INTERVAL', 3000);

export async function dropletsOf(api: DoClient, o: Owner): Promise<Droplet[]> {
  const all = await listAll(o.machine, 'list droplets', (page) => api.GET('/v2/droplets', { params: { query: { tag_name: o.tags[0], per_page: 200, page } } }), (b) => b.droplets);
  return all.filter((d) => o.tags.every((t) => d.tags.includes(t)));
}

export function getDroplet(api: DoClient, machine: string, id: number): Promise<Droplet | undefined> {
  return callOrGone(machine, `get droplet ${id}`, api.GET('/v2/droplets/{droplet_id}', { params: { path: { droplet_id: id } } })).then((r) => r?.droplet);
}

export function publicIp(d: Droplet): string | undefined {
  return d.networks.v4?.find((n) => n.type === 'public')?.ip_address;
}

export async function ensureDroplet(api: DoClient, o: Owner, opts: DigitalOceanOptions, sshKeyId: number): Promise<{ droplet: Droplet; adopted: boolean }> {
  const r = await adoptOrCreate({
    machine: o.machine,
    kind: 'droplet',
    log: o.log,
    find: () => dropletsOf(api, o),
    create: async () => {
      const body = {
        name: o.name,
        region: opts.region,
        size: opts.size,
        image: opts.image,
        ssh_keys: [sshKeyId],
        tags: [...new Set([...opts.tags, ...o.tags])],
        user_data: opts.userData,
        monitoring: opts.monitoring,
        ipv6: opts.ipv6,
        backups: false,
        private_networking: false,
        volumes: [],
        public_networking: true,
        ...(opts.vpcUuid ? { vpc_uuid: opts.vpcUuid } : {}),
      };
      const made = await call(o.machine, 'create droplet', api.POST('/v2/droplets', { body }));
      if (!('droplet' in made) || !made.droplet) throw new DriverError(o.machine, 'digitalocean API create droplet: the answer holds no droplet');
      return made.droplet;
    },
  });
  return { droplet: r.value, adopted: r.adopted };
}

export function waitDroplet(api: DoClient, o: Owner, id: number, want: 'active' | 'off', signal?: AbortSignal): Promise<Droplet> {
  return waitFor({
    machine: o.machine,
    what: `droplet ${id} to be ${want}`,
    poll: async () => {
      const d = await getDroplet(api, o.machine, id);
      if (!d) throw new DriverError(o.machine, `droplet ${id} disappeared while waiting for it to be ${want}`);
      return d;
    },
    done: (d) => d.status === want && (want !== 'active' || !!publicIp(d)),
    status: (d) => d.status,
    timeoutMs: waitTimeoutMs(),
    intervalMs: pollMs(),
    log: o.log,
    signal,
  });
}

export type PowerAction = 'power_on' | 'power_off' | 'shutdown' | 'reboot';

export async function power(api: DoClient, o: Owner, id: number, type: PowerAction, signal?: AbortSignal): Promise<void> {
  const r = await call(o.machine, `${type} droplet ${id}`, api.POST('/v2/droplets/{droplet_id}/actions', { params: { path: { droplet_id: id } }, body: { type } }));
  const action = r.action as DoAction | undefined;
  if (!action?.id) return;
  const done = await waitFor({
    machine: o.machine,
    what: `${type} (action ${action.id})`,
    poll: async () => (await call(o.machine, `get action ${action.id}`, api.GET('/v2/actions/{action_id}', { params: { path: { action_id: action.id! } } }))).action ?? action,
    done: (a) => a.status !== 'in-progress',
    status: (a) => a.status ?? 'unknown',
    timeoutMs: waitTimeoutMs(),
    intervalMs: pollMs(),
    log: o.log,
    signal,
  });
  if (done.status === 'errored') throw new DriverError(o.machine, `digitalocean action ${type} on droplet ${id} errored`);
}

export async function destroyDroplet(api: DoClient, o: Owner, id: number, signal?: AbortSignal): Promise<void> {
  const gone = await callOrGone(o.machine, `delete droplet ${id}`, api.DELETE('/v2/droplets/{droplet_id}', { params: { path: { droplet_id: id } } }).then((r) => ({ ...r, data: r.response.ok ? {} : undefined })));
  if (!gone) return;
  await waitFor({
    machine: o.machine,
    what: `droplet ${id} to be destroyed`,
    poll: () => getDroplet(api, o.machine, id),
    done: (d) => d === undefined,
    status: (d) => d?.status ?? 'destroyed',
    timeoutMs: waitTimeoutMs(),
    intervalMs: pollMs(),
    log: o.log,
    signal,
  });
}
