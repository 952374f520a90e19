// digitalocean: a Droplet on DigitalOcean, then the usual SSH + Docker + mutual-TLS provisioning. The create
// uploads the machine's own SSH key, creates the Droplet tagged with the project and machine, then a firewall
// for it (SSH and the engine port); a rerun adopts what a crashed run made. Remove deletes all three.
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
import { checkDigitalOceanOptions } from './check.js';
import { digitaloceanClient, type DoClient } from './client.js';
import { destroyDroplet, dropletsOf, ensureDroplet, getDroplet, power, publicIp, waitDroplet, type PowerAction } from './droplet.js';
import { digitaloceanOptions, ownerTags, type DigitalOceanOptions } from './options.js';
import { deleteFirewall, deleteKey, ensureFirewall, ensureKey, firewallsOf, keysOf, type Owner } from './resources.js';
import { digitaloceanTraits } from './traits.js';

export interface DigitalOceanData {
  dropletId?: number;
  sshKeyId?: number;
  firewallId?: string;
  ip?: string;
}

interface Session {
  api: DoClient;
  o: Owner;
  opts: DigitalOceanOptions;
}

export function digitaloceanDriver(retry: RetryPolicy = DEFAULT_RETRY): Driver {
  async function session(req: MachineRequest): Promise<Session> {
    const opts = digitaloceanOptions(req.machine);
    const token = await readToken(req.machine.name, { provider: 'DigitalOcean', block: 'digitalocean', envVar: 'DIGITALOCEAN_ACCESS_TOKEN', tokenFile: opts.tokenFile });
    const log = req.ctx.log;
    return {
      api: digitaloceanClient(opts.apiUrl, token, retry, log && ((l) => log(`${req.machine.name}: ${l}`))),
      opts,
      o: { machine: req.machine.name, name: resourceName(req.ctx.project, req.machine.name), tags: ownerTags(ownerLabels(req.ctx.project, req.machine.name)), log },
    };
  }

  const data = (req: MachineRequest): DigitalOceanData => req.driverData as DigitalOceanData;

  function dropletId(req: MachineRequest): number {
    const id = data(req).dropletId;
    if (typeof id !== 'number') throw new DriverError(req.machine.name, 'digitalocean droplet has not been created');
    return id;
  }

  function powerOp(type: PowerAction, want: 'active' | 'off' | undefined) {
    return async (req: MachineRequest): Promise<void> => {
      const { api, o } = await session(req);
      const id = dropletId(req);
      await power(api, o, id, type, req.ctx.signal);
      if (want) await waitDroplet(api, o, id, want, req.ctx.signal);
    };
  }

  function ip(req: MachineRequest): string {
    const v = data(req).ip;
    if (!v) throw new DriverError(req.machine.name, 'digitalocean droplet has no public address recorded');
    return v;
  }

  return {
    name: digitaloceanTraits.name,
    traits: digitaloceanTraits,

    async preCreateCheck(req) {
      const { api, o, opts } = await session(req);
      await checkDigitalOceanOptions(o.machine, api, opts);
    },

    async create(req): Promise<CreateResponse> {
      const { api, o, opts } = await session(req);
      const made: DigitalOceanData = {};
      return trackCreate(o.machine, made as Record<string, unknown>, async () => {
        const key = await ensureMachineKey(req.ctx.stateDir, o.machine);
        made.sshKeyId = (await ensureKey(api, o, key.publicKey)).id;
        const { droplet, adopted } = await ensureDroplet(api, o, opts, made.sshKeyId);
        made.dropletId = droplet.id;
        req.ctx.log?.(`${o.machine}: ${adopted ? 'adopted' : 'created'} droplet ${droplet.id} (${droplet.size_slug} in ${droplet.region.slug})`);
        const enginePort = req.machine.engine.transport === 'tcp' ? req.machine.engine.port : undefined;
        made.firewallId = (await ensureFirewall(api, o, opts, droplet.id, enginePort)).id;
        if (adopted && droplet.status === 'off') await power(api, o, droplet.id, 'power_on', req.ctx.signal);
        made.ip = publicIp(await waitDroplet(api, o, droplet.id, 'active', req.ctx.signal));
        return { driverData: { ...made } };
      });
    },

    start: powerOp('power_on', 'active'),
    stop: powerOp('shutdown', 'off'),
    kill: powerOp('power_off', 'off'),
    restart: powerOp('reboot', undefined),

    async remove(req) {
      const { api, o } = await session(req);
      const d = data(req);
      const droplets = new Set<number>([...(d.dropletId ? [d.dropletId] : []), ...(await dropletsOf(api, o)).map((x) => x.id)]);
      for (const id of droplets) {
        o.log?.(`${o.machine}: destroying droplet ${id}`);
        await destroyDroplet(api, o, id, req.ctx.signal);
      }
      const keys = new Set<number>([...(d.sshKeyId ? [d.sshKeyId] : []), ...(await keysOf(api, o)).map((k) => k.id!)]);
      for (const id of keys) await deleteKey(api, o.machine, id);
      const firewalls = new Set<string>([...(d.firewallId ? [d.firewallId] : []), ...(await firewallsOf(api, o)).map((f) => f.id)]);
      for (const id of firewalls) await deleteFirewall(api, o.machine, id);
      await removeMachineKey(req.ctx.stateDir, o.machine);
    },

    async status(req): Promise<StatusResponse> {
      const id = data(req).dropletId;
      if (typeof id !== 'number') return { status: 'missing', detail: 'no droplet recorded' };
      const { api, o } = await session(req);
      const d = await getDroplet(api, o.machine, id);
      if (!d) return { status: 'missing', detail: `droplet ${id} does not exist` };
      if (d.status === 'active') return { status: 'running' };
      if (d.status === 'off') return { status: 'stopped', detail: 'droplet is off' };
      return { status: 'unknown', detail: `droplet is ${d.status}` };
    },

    async address(req): Promise<SshAddress> {
      return { host: ip(req), port: 22, user: 'root', identityFile: machineKeyFile(req.ctx.stateDir, req.machine.name), sudo: false };
    },

    async engineUrl(req): Promise<EngineEndpoint> {
      return engineEndpointFor(req.machine, req.ctx.stateDir, ip(req));
    },
  };
}
