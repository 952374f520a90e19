// hetzner: a server on Hetzner Cloud, then the usual SSH + Docker + mutual-TLS provisioning. The create uploads
// the machine's own SSH key and makes a firewall (SSH and the engine port), then the server, each labelled with
// the project and machine so a rerun adopts what a crashed run made. Remove deletes all three.
import { DriverError } from '../../errors.js';
import type { SshAddress } from '../../model/index.js';
import { engineEndpointFor } from '../../remote/provision/provision.js';
import { ownerLabels } from '../cloud/adopt.js';
import { resourceName } from '../cloud/names.js';
import { ensureMachineKey, machineKeyFile, removeMachineKey } from '../cloud/machine-key.js';
import { trackCreate } from '../cloud/pending.js';
import { DEFAULT_RETRY, type RetryPolicy } from '../cloud/retry.js';
import { readToken } from '../cloud/token.js';
import type { CreateResponse, Driver, EngineEndpoint, MachineRequest, StatusResponse } from '../driver.js';
import { checkHetznerOptions } from './check.js';
import { hetznerClient, type HetznerClient } from './client.js';
import { hetznerOptions, type HetznerOptions } from './options.js';
import { deleteFirewall, deleteKey, ensureFirewall, ensureKey, firewallsOf, keysOf, type Owner } from './resources.js';
import { deleteServer, ensureServer, getServer, power, publicIp, serversOf, waitServer, type PowerAction } from './server.js';
import { hetznerTraits } from './traits.js';

export interface HetznerData {
  serverId?: number;
  sshKeyId?: number;
  firewallId?: number;
  ip?: string;
}

interface Session {
  api: HetznerClient;
  o: Owner;
  opts: HetznerOptions;
}

export function hetznerDriver(retry: RetryPolicy = DEFAULT_RETRY): Driver {
  async function session(req: MachineRequest): Promise<Session> {
    const opts = hetznerOptions(req.machine);
    const token = await readToken(req.machine.name, { provider: 'Hetzner Cloud', block: 'hetzner', envVar: 'HCLOUD_TOKEN', tokenFile: opts.tokenFile });
    const log = req.ctx.log;
    return {
      api: hetznerClient(opts.apiUrl, token, retry, log && ((l) => log(`${req.machine.name}: ${l}`))),
      opts,
      o: { machine: req.machine.name, name: resourceName(req.ctx.project, req.machine.name), labels: ownerLabels(req.ctx.project, req.machine.name), log },
    };
  }

  const data = (req: MachineRequest): HetznerData => req.driverData as HetznerData;

  function serverId(req: MachineRequest): number {
    const id = data(req).serverId;
    if (typeof id !== 'number') throw new DriverError(req.machine.name, 'hetzner server has not been created');
    return id;
  }

  function powerOp(what: PowerAction, want: 'running' | 'off' | undefined) {
    return async (req: MachineRequest): Promise<void> => {
      const { api, o } = await session(req);
      const id = serverId(req);
      await power(api, o, id, what, req.ctx.signal);
      if (want) await waitServer(api, o, id, want, req.ctx.signal);
    };
  }

  return {
    name: hetznerTraits.name,
    traits: hetznerTraits,

    async preCreateCheck(req) {
      const { api, o, opts } = await session(req);
      await checkHetznerOptions(o.machine, api, opts);
    },

    async create(req): Promise<CreateResponse> {
      const { api, o, opts } = await session(req);
      const made: HetznerData = {};
      return trackCreate(o.machine, made as Record<string, unknown>, async () => {
        const key = await ensureMachineKey(req.ctx.stateDir, o.machine);
        made.sshKeyId = (await ensureKey(api, o, key.publicKey)).id;
        const enginePort = req.machine.engine.transport === 'tcp' ? req.machine.engine.port : undefined;
        made.firewallId = (await ensureFirewall(api, o, opts, enginePort)).id;
        const { server, adopted } = await ensureServer(api, o, opts, { sshKey: made.sshKeyId, firewall: made.firewallId });
        made.serverId = server.id;
        req.ctx.log?.(`${o.machine}: ${adopted ? 'adopted' : 'created'} server ${server.id} (${server.server_type.name} in ${server.location.name})`);
        if (adopted && server.status === 'off') await power(api, o, server.id, 'poweron', req.ctx.signal);
        const ready = await waitServer(api, o, server.id, 'running', req.ctx.signal);
        made.ip = publicIp(ready);
        return { driverData: { ...made } };
      });
    },

    start: powerOp('poweron', 'running'),
    stop: powerOp('shutdown', 'off'),
    kill: powerOp('poweroff', 'off'),
    restart: powerOp('reboot', undefined),

    async remove(req) {
      const { api, o } = await session(req);
      const d = data(req);
      // What the record names, and whatever else carries the machine's labels (a create the state never saw).
      const servers = new Set<number>([...(d.serverId ? [d.serverId] : []), ...(await serversOf(api, o)).map((s) => s.id)]);
      for (const id of servers) {
        o.log?.(`${o.machine}: deleting server ${id}`);
        await deleteServer(api, o, id, req.ctx.signal);
      }
      const keys = new Set<number>([...(d.sshKeyId ? [d.sshKeyId] : []), ...(await keysOf(api, o)).map((k) => k.id)]);
      for (const id of keys) await deleteKey(api, o.machine, id);
      const firewalls = new Set<number>([...(d.firewallId ? [d.firewallId] : []), ...(await firewallsOf(api, o)).map((f) => f.id)]);
      for (const id of firewalls) await deleteFirewall(api, o.machine, id);
      await removeMachineKey(req.ctx.stateDir, o.machine);
    },

    async status(req): Promise<StatusResponse> {
      const id = data(req).serverId;
      if (typeof id !== 'number') return { status: 'missing', detail: 'no server recorded' };
      const { api, o } = await session(req);
      const s = await getServer(api, o.machine, id);
      if (!s) return { status: 'missing', detail: `server ${id} does not exist` };
      if (s.status === 'running') return { status: 'running' };
      if (s.status === 'off') return { status: 'stopped', detail: 'server is off' };
      return { status: 'unknown', detail: `server is ${s.status}` };
    },

    async address(req): Promise<SshAddress> {
      const ip = data(req).ip;
      if (!ip) throw new DriverError(req.machine.name, 'hetzner server has no public address recorded');
      return { host: ip, port: 22, user: 'root', identityFile: machineKeyFile(req.ctx.stateDir, req.machine.name), sudo: false };
    },

    async engineUrl(req): Promise<EngineEndpoint> {
      const ip = data(req).ip;
      if (!ip) throw new DriverError(req.machine.name, 'hetzner server has no public address recorded');
      return engineEndpointFor(req.machine, req.ctx.stateDir, ip);
    },
  };
}
