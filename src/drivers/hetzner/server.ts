// The machine's server on Hetzner Cloud: find by labels or create, wait for a state, power actions, delete.
import { DriverError } from '../../errors.js';
import { adoptOrCreate, labelSelector } from '../cloud/adopt.js';
import { secondsFromEnv, waitFor } from '../cloud/wait.js';
import { call, callOrGone, type Action, type HetznerClient, type Server } from './client.js';
import type { HetznerOptions } from './options.js';
import { listAll } from './pages.js';
import type { Owner } from './resources.js';

/** Waits are bounded; tests shorten them with MFILE_CLOUD_WAIT_TIMEOUT / MFILE_CLOUD_POLL_INTERVAL (seconds). */
export const waitTimeoutMs = (): number => secondsFromEnv('MFILE_CLOUD_WAIT_TIMEOUT', 600_000);
export const pollMs = (): number => secondsFromEnv('MFILE_CLOUD_POLL_INTERVAL', 3000);

export async function serversOf(api: HetznerClient, o: Owner): Promise<Server[]> {
  return listAll(o.machine, 'list servers', (page) => api.GET('/servers', { params: { query: { label_selector: labelSelector(o.labels), per_page: 50, page } } }), (b) => b.servers);
}

export function getServer(api: HetznerClient, machine: string, id: number): Promise<Server | undefined> {
  return callOrGone(machine, `get server ${id}`, api.GET('/servers/{id}', { params: { path: { id } } })).then((r) => r?.server);
}

export async function ensureServer(
  api: HetznerClient,
  o: Owner,
  opts: HetznerOptions,
  ids: { sshKey: number; firewall: number },
): Promise<{ server: Server; adopted: boolean }> {
  const r = await adoptOrCreate({
    machine: o.machine,
    kind: 'server',
    log: o.log,
    find: () => serversOf(api, o),
    // One that is being deleted is no server to adopt.
    fits: (s) => s.status !== 'deleting',
    create: async () =>
      (
        await call(
          o.machine,
          'create server',
          api.POST('/servers', {
            body: {
              name: o.name,
              location: opts.location,
              server_type: opts.serverType,
              image: opts.image,
              ssh_keys: [String(ids.sshKey)],
              firewalls: [{ firewall: ids.firewall }],
              ...(opts.networks.length ? { networks: opts.networks } : {}),
              labels: { ...opts.labels, ...o.labels },
              user_data: opts.userData,
              start_after_create: true,
            },
          }),
        )
      ).server,
  });
  return { server: r.value, adopted: r.adopted };
}

export function publicIp(s: Server): string | undefined {
  return s.public_net.ipv4?.ip ?? undefined;
}

/** Until the server is `want` (and, for running, has a public IPv4 address). */
export async function waitServer(api: HetznerClient, o: Owner, id: number, want: Server['status'], signal?: AbortSignal): Promise<Server> {
  return waitFor({
    machine: o.machine,
    what: `server ${id} to be ${want}`,
    poll: async () => {
      const s = await getServer(api, o.machine, id);
      if (!s) throw new DriverError(o.machine, `server ${id} disappeared while waiting for it to be ${want}`);
      return s;
    },
    done: (s) => s.status === want && (want !== 'running' || !!publicIp(s)),
    status: (s) => s.status,
    timeoutMs: waitTimeoutMs(),
    intervalMs: pollMs(),
    log: o.log,
    signal,
  });
}

/** Until an action (power on, shutdown, delete...) has finished; its failure quotes Hetzner's reason. */
export async function waitAction(api: HetznerClient, o: Owner, action: Action, signal?: AbortSignal): Promise<void> {
  const done = await waitFor({
    machine: o.machine,
    what: `${action.command} (action ${action.id})`,
    poll: async () => (await call(o.machine, `get action ${action.id}`, api.GET('/actions/{id}', { params: { path: { id: action.id } } }))).action,
    done: (a) => a.status !== 'running',
    status: (a) => `${a.status} ${a.progress}%`,
    timeoutMs: waitTimeoutMs(),
    intervalMs: pollMs(),
    log: o.log,
    signal,
  });
  if (done.status === 'error') {
    throw new DriverError(o.machine, `hetzner action ${done.command} failed: ${done.error?.code ?? 'error'}: ${done.error?.message ?? '(no message)'}`);
  }
}

export type PowerAction = 'poweron' | 'poweroff' | 'shutdown' | 'reboot';

export async function power(api: HetznerClient, o: Owner, id: number, what: PowerAction, signal?: AbortSignal): Promise<void> {
  const path = `/servers/{id}/actions/${what}` as const;
  const r = await call(o.machine, `${what} server ${id}`, api.POST(path, { params: { path: { id } } }));
  await waitAction(api, o, r.action, signal);
}

/** Deletes the server and waits until it is gone. */
export async function deleteServer(api: HetznerClient, o: Owner, id: number, signal?: AbortSignal): Promise<void> {
  const r = await callOrGone(o.machine, `delete server ${id}`, api.DELETE('/servers/{id}', { params: { path: { id } } }));
  if (!r) return;
  await waitFor({
    machine: o.machine,
    what: `server ${id} to be deleted`,
    poll: () => getServer(api, o.machine, id),
    done: (s) => s === undefined,
    status: (s) => s?.status ?? 'deleted',
    timeoutMs: waitTimeoutMs(),
    intervalMs: pollMs(),
    log: o.log,
    signal,
  });
}
