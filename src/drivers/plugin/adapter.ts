// A plugin behind the Driver contract: each operation starts the plugin, shakes hands, makes the one call and
// checks the answer's shape. Every failure is one DriverError line naming machine, plugin and operation.
import { rm } from 'node:fs/promises';
import { DriverError } from '../../errors.js';
import type { MachineStatus, SshAddress } from '../../model/index.js';
import { engineEndpointFor } from '../../remote/provision/provision.js';
import { ensureMachineDir, machineDir } from '../../remote/tls/store.js';
import type { CreateResponse, Driver, EngineEndpoint, MachineRequest, StatusResponse } from '../driver.js';
import type { Described } from './describe.js';
import { PluginFailure } from './failure.js';
import { ensureMachineKey, machineKeyPath } from './machine-key.js';
import type { MachineMethod, MachineParams } from './protocol.js';
import { callOnce } from './runner.js';

const STATUSES: MachineStatus[] = ['running', 'stopped', 'missing', 'unknown', 'error'];

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export interface AdapterOptions {
  /** The plugin's working folder (the folder of machines.yml). */
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Who is calling, for the handshake ("mfile 0.1.0"). */
  client?: string;
}

export function pluginDriver(plugin: Described, opts: AdapterOptions = {}): Driver {
  const t = plugin.traits;
  const label = `driver plugin mfile-driver-${t.name}`;

  async function params(req: MachineRequest, method: MachineMethod): Promise<MachineParams> {
    const m = req.machine;
    const p: MachineParams = {
      machine: { name: m.name, options: m.driverOptions ?? {}, engine: { port: m.engine.port, transport: m.engine.transport } },
      driverData: req.driverData,
      project: req.ctx.project,
      stateDir: req.ctx.stateDir,
      // Made (0700) for create; the other operations get its path whether or not it exists.
      machineDir: method === 'create' ? await ensureMachineDir(req.ctx.stateDir, m.name) : machineDir(req.ctx.stateDir, m.name),
    };
    // The key pair is made for create only (a plan's preCreateCheck writes nothing).
    if (t.provisioned && method === 'create') p.ssh = await ensureMachineKey(req.ctx.stateDir, m.name);
    return p;
  }

  async function call(method: MachineMethod, req: MachineRequest): Promise<unknown> {
    try {
      return await callOnce(plugin.path, method, await params(req, method), { cwd: opts.cwd, env: opts.env, client: opts.client, onLog: req.ctx.log });
    } catch (err) {
      if (err instanceof PluginFailure) throw new DriverError(req.machine.name, err.message);
      throw err;
    }
  }

  const bad = (req: MachineRequest, method: string, why: string): never => {
    throw new DriverError(req.machine.name, `${label}: ${method}: ${why}`);
  };

  async function lifecycle(op: 'start' | 'stop' | 'restart' | 'kill', req: MachineRequest): Promise<void> {
    if (!t.lifecycle.includes(op)) {
      throw new DriverError(req.machine.name, `driver ${t.name} cannot ${op} a machine${t.lifecycleRefusal ? `: ${t.lifecycleRefusal}` : ''}`);
    }
    const r = await call(op, req);
    if (isObject(r) && r.driverData !== undefined) {
      if (!isObject(r.driverData)) bad(req, op, 'driverData in the answer is not an object');
      Object.assign(req.driverData, r.driverData);
    }
  }

  async function address(req: MachineRequest): Promise<SshAddress | null> {
    const r = await call('address', req);
    if (r === null) return null;
    if (!isObject(r) || typeof r.host !== 'string' || !r.host) return bad(req, 'address', 'answer has no "host" string');
    const port = r.port ?? 22;
    if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) return bad(req, 'address', '"port" is not a TCP port');
    const user = r.user ?? 'root';
    if (typeof user !== 'string' || !user) return bad(req, 'address', '"user" is not a string');
    if (r.identityFile !== undefined && typeof r.identityFile !== 'string') return bad(req, 'address', '"identityFile" is not a string');
    const identityFile = (r.identityFile as string | undefined) ?? (t.provisioned ? machineKeyPath(req.ctx.stateDir, req.machine.name) : undefined);
    return { host: r.host, port, user, ...(identityFile ? { identityFile } : {}) };
  }

  const driver: Driver = {
    name: t.name,
    traits: t,

    async preCreateCheck(req) {
      await call('preCreateCheck', req);
    },

    async create(req): Promise<CreateResponse> {
      const r = await call('create', req);
      if (!isObject(r) || !isObject(r.driverData)) return bad(req, 'create', 'answer has no "driverData" object');
      return { driverData: r.driverData };
    },

    async status(req): Promise<StatusResponse> {
      const r = await call('status', req);
      if (!isObject(r) || !STATUSES.includes(r.status as MachineStatus)) return bad(req, 'status', `"status" must be one of ${STATUSES.join(', ')}`);
      return { status: r.status as MachineStatus, ...(typeof r.detail === 'string' ? { detail: r.detail } : {}) };
    },

    start: (req) => lifecycle('start', req),
    stop: (req) => lifecycle('stop', req),
    restart: (req) => lifecycle('restart', req),
    kill: (req) => lifecycle('kill', req),

    async remove(req) {
      await call('remove', req);
      // The machine's own folder: its key pair, known_hosts, certificates and whatever the plugin kept there.
      await rm(machineDir(req.ctx.stateDir, req.machine.name), { recursive: true, force: true });
    },

    address: (req) => address(req),

    async engineUrl(req): Promise<EngineEndpoint> {
      if (t.provisioned) {
        // mfile provisioned the engine itself, on the address it reached the host at.
        const a = await address(req);
        if (!a) return bad(req, 'address', 'a provisioned driver answered null');
        return engineEndpointFor(req.machine, req.ctx.stateDir, a.host);
      }
      const r = await call('engineUrl', req);
      if (isObject(r) && r.kind === 'unix' && typeof r.socketPath === 'string') return { kind: 'unix', socketPath: r.socketPath };
      if (isObject(r) && r.kind === 'tcp' && typeof r.host === 'string' && typeof r.port === 'number') {
        const tls = r.tls;
        if (tls === undefined || tls === null) return { kind: 'tcp', host: r.host, port: r.port };
        if (isObject(tls) && typeof tls.ca === 'string' && typeof tls.cert === 'string' && typeof tls.key === 'string') {
          return { kind: 'tcp', host: r.host, port: r.port, tls: { ca: tls.ca, cert: tls.cert, key: tls.key } };
        }
        return bad(req, 'engineUrl', '"tls" needs "ca", "cert" and "key" paths');
      }
      return bad(req, 'engineUrl', 'answer is neither {"kind":"tcp",host,port} nor {"kind":"unix",socketPath}');
    },
  };
  return driver;
}
