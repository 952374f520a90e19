// `driver: docker-machine:NAME`: a Docker Machine driver binary (docker-machine-driver-NAME on PATH) behind
// mfile's Driver contract. Each operation runs one plugin session, as Docker Machine does per command: start the
// plugin, hand it the driver config kept from last time (or {MachineName, StorePath} before create), call, keep
// the config it hands back. StorePath is mfile's state folder, so what the driver writes (its SSH key) lands in
// .mfile/machines/NAME/. The config may hold tokens: it is a private file there, never in the state.
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DriverError } from '../../errors.js';
import type { MachineStatus, SshAddress } from '../../model/index.js';
import { writePrivateFile } from '../../fs-safety/private-file.js';
import { engineEndpointFor } from '../../remote/provision/provision.js';
import { ensureMachineDir, machineDir } from '../../remote/tls/store.js';
import type { DriverTraits } from '../../model/driver-traits.js';
import { dockerMachineBinaryName } from '../../model/docker-machine-names.js';
import type { CreateResponse, Driver, EngineEndpoint, MachineRequest, StatusResponse } from '../driver.js';
import { flagValues } from './flag-values.js';
import { callTimeoutMs } from './timeouts.js';
import { dockerMachineTraits } from './traits.js';
import type { DockerMachineState } from './machine-state.js';
import { DockerMachinePlugin } from './plugin-client.js';

export interface DockerMachineDriverOptions {
  /** The Docker Machine driver's name: runs docker-machine-driver-NAME. */
  name: string;
  /** Another binary than docker-machine-driver-NAME from PATH (the path found when the config was loaded). */
  command?: string;
  /** Its traits as made from its create flags; default: flags not asked (the block is taken as it is). */
  traits?: DriverTraits;
  env?: NodeJS.ProcessEnv;
  heartbeatMs?: number;
  /** How often create polls GetState, and how many times, before giving up (Docker Machine: 3 s, 60 times). */
  pollMs?: number;
  pollTimes?: number;
}

/** The driver's config as the plugin last handed it back, beside the machine's keys. */
export const CONFIG_FILE = 'docker-machine-driver.json';

const STATUS: Record<DockerMachineState, MachineStatus> = {
  Running: 'running',
  Stopped: 'stopped',
  Saved: 'stopped',
  Paused: 'stopped',
  Starting: 'unknown',
  Stopping: 'unknown',
  Timeout: 'error',
  Error: 'error',
  '': 'unknown',
};

export function dockerMachineDriver(o: DockerMachineDriverOptions): Driver {
  const label = dockerMachineBinaryName(o.name);
  const env = o.env ?? process.env;
  const traits = o.traits ?? dockerMachineTraits(o.name, null);
  const configFile = (req: MachineRequest): string => join(machineDir(req.ctx.stateDir, req.machine.name), CONFIG_FILE);

  async function savedConfig(req: MachineRequest): Promise<Record<string, unknown> | null> {
    try {
      return JSON.parse(await readFile(configFile(req), 'utf8')) as Record<string, unknown>;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw new DriverError(req.machine.name, `${configFile(req)}: ${(err as Error).message}`);
    }
  }

  /** One plugin session: config in, `work`, config back out to the machine's folder (unless `keep` is false). */
  async function session<T>(req: MachineRequest, config: Record<string, unknown>, work: (p: DockerMachinePlugin) => Promise<T>, keep = true): Promise<T> {
    const p = await DockerMachinePlugin.start({
      machine: req.machine.name,
      command: o.command ?? label,
      label,
      driverName: o.name,
      env: o.env,
      heartbeatMs: o.heartbeatMs,
      callTimeoutMs: (method) => callTimeoutMs(method, env),
      onLine: (line) => req.ctx.log?.(`${req.machine.name}: (${o.name}) ${line}`),
    });
    const abort = (): void => void p.close();
    req.ctx.signal?.addEventListener('abort', abort, { once: true });
    const save = async (): Promise<void> => {
      const dir = await ensureMachineDir(req.ctx.stateDir, req.machine.name);
      await writePrivateFile(join(dir, CONFIG_FILE), JSON.stringify(await p.getConfigRaw(), null, 2));
    };
    try {
      await p.setConfigRaw(config);
      let out: T;
      try {
        out = await work(p);
      } catch (err) {
        // A create that failed halfway may have made something (a VM) that remove() must be able to reach:
        // keep the config if the plugin is still there to give it.
        if (keep) await save().catch(() => undefined);
        throw err;
      }
      if (keep) await save();
      return out;
    } finally {
      req.ctx.signal?.removeEventListener('abort', abort);
      await p.close();
    }
  }

  async function existing<T>(req: MachineRequest, work: (p: DockerMachinePlugin) => Promise<T>, keep = true): Promise<T> {
    const config = await savedConfig(req);
    if (!config) throw new DriverError(req.machine.name, `no ${CONFIG_FILE} in its folder: it was not created through ${label}`);
    return session(req, config, work, keep);
  }

  /** Before create: the block's flags checked against the driver's own list, then handed to it. */
  async function configure(req: MachineRequest, p: DockerMachinePlugin): Promise<void> {
    const checked = flagValues(await p.getCreateFlags(), req.machine.driverOptions, label, env);
    if ('error' in checked) throw new DriverError(req.machine.name, checked.error);
    await p.setConfigFromFlags(checked.values);
  }

  const fresh = (req: MachineRequest): Record<string, unknown> => ({ MachineName: req.machine.name, StorePath: req.ctx.stateDir });

  async function sshOf(p: DockerMachinePlugin): Promise<Record<string, unknown>> {
    const host = await p.getSSHHostname();
    if (!host) return {};
    return { host, port: await p.getSSHPort(), user: await p.getSSHUsername(), identityFile: await p.getSSHKeyPath() };
  }

  async function address(req: MachineRequest): Promise<SshAddress | null> {
    const d = req.driverData.host !== undefined ? req.driverData : await existing(req, sshOf, false);
    if (typeof d.host !== 'string' || !d.host) return null;
    return {
      host: d.host,
      port: typeof d.port === 'number' ? d.port : 22,
      user: typeof d.user === 'string' && d.user ? d.user : 'root',
      identityFile: typeof d.identityFile === 'string' && d.identityFile ? d.identityFile : undefined,
    };
  }

  return {
    name: traits.name,
    traits,

    async preCreateCheck(req) {
      await session(req, fresh(req), async (p) => {
        await configure(req, p);
        await p.preCreateCheck();
      }, false);
    },

    async create(req): Promise<CreateResponse> {
      // A create that failed with the plugin still up kept its config, so what it made can be removed first.
      if (await savedConfig(req)) {
        req.ctx.log?.(`${req.machine.name}: removing what an earlier create through ${label} left`);
        await existing(req, (p) => p.remove(), false);
        await rm(configFile(req), { force: true });
      }
      await ensureMachineDir(req.ctx.stateDir, req.machine.name);
      const driverData = await session(req, fresh(req), async (p) => {
        await configure(req, p);
        await p.preCreateCheck();
        await p.create();
        for (let i = 0; (await p.getState()) !== 'Running'; i++) {
          if (i >= (o.pollTimes ?? 60)) throw new DriverError(req.machine.name, `${label}: the machine did not reach Running after Create`);
          await new Promise((r) => setTimeout(r, o.pollMs ?? 3000));
        }
        return sshOf(p);
      });
      return { driverData };
    },

    async status(req): Promise<StatusResponse> {
      if (!(await savedConfig(req))) return { status: 'missing', detail: `no ${CONFIG_FILE}` };
      const state = await existing(req, (p) => p.getState(), false);
      return { status: STATUS[state], detail: state ? `${label}: ${state}` : undefined };
    },

    start: (req) => existing(req, (p) => p.start()),
    stop: (req) => existing(req, (p) => p.stop()),
    restart: (req) => existing(req, (p) => p.restart()),
    kill: (req) => existing(req, (p) => p.kill()),

    async remove(req) {
      if (!(await savedConfig(req))) return;
      await existing(req, (p) => p.remove(), false);
      await rm(configFile(req), { force: true });
    },

    address,

    async engineUrl(req): Promise<EngineEndpoint> {
      const a = await address(req);
      if (!a) throw new DriverError(req.machine.name, `${label} gives no SSH host for the machine`);
      return engineEndpointFor(req.machine, req.ctx.stateDir, a.host);
    },
  };
}
