// One dockerode client per machine for the whole run, built from the driver's engine endpoint and cached.
import { dirname, join } from 'node:path';
import type { Agent } from 'node:http';
import { traitsOf, type Desired, type DriverCatalog, type MachineSpec, type State } from '../model/index.js';
import { defaultEngine } from '../model/engine-defaults.js';
import type { DriverContext, EngineEndpoint } from '../drivers/driver.js';
import { driverFor } from '../drivers/registry.js';
import { closeDockerClient, dockerClient, localEndpoint, type DockerClient } from '../remote/docker/client.js';

export interface Connections {
  /** The machine's spec (from machines.yml, or rebuilt from state for a machine being destroyed). */
  spec(machine: string): MachineSpec;
  endpoint(machine: string): Promise<EngineEndpoint>;
  docker(machine: string): Promise<DockerClient>;
  /** The engine where mfile runs, for copying images with save | load. */
  local(): DockerClient;
  closeAll(): Promise<void>;
}

export interface ConnectionOptions {
  /** The .mfile folder; default: beside the config. */
  stateDir?: string;
  signal?: AbortSignal;
  /** Transport for `ssh` endpoints (the hosts engineer supplies one over the machine's SSH connection). */
  sshAgent?: (machine: MachineSpec, endpoint: EngineEndpoint) => Promise<Agent>;
  /** Called by closeAll (e.g. to end SSH connections the transport opened). */
  onClose?: () => Promise<void>;
}

/** A spec good enough to reach a machine that is only in the state (being destroyed). */
function specFromState(name: string, state: State, drivers: DriverCatalog): MachineSpec | undefined {
  const r = state.machines[name];
  if (!r) return undefined;
  return {
    name,
    driver: r.driver as MachineSpec['driver'],
    driverOptions: r.driverOptions,
    traits: traitsOf(drivers, r.driver),
    engine: defaultEngine({ install: 'never' }),
    tls: { enabled: true, san: [] },
  };
}

export function driverContext(desired: Desired, opts: ConnectionOptions): DriverContext {
  return { stateDir: opts.stateDir ?? join(dirname(desired.configPath), '.mfile'), project: desired.project, signal: opts.signal };
}

/** `opts` may be the state folder's path alone. */
/** `state` may be a getter, so machines created during the run are reached with their new driver data. */
export function createConnections(desired: Desired, stateOrGetter: State | (() => State), optsOrStateDir: ConnectionOptions | string = {}): Connections {
  const currentState = typeof stateOrGetter === 'function' ? stateOrGetter : () => stateOrGetter;
  const opts: ConnectionOptions = typeof optsOrStateDir === 'string' ? { stateDir: optsOrStateDir } : optsOrStateDir;
  const clients = new Map<string, Promise<DockerClient>>();
  const endpoints = new Map<string, Promise<EngineEndpoint>>();
  const agents: Agent[] = [];
  let local: DockerClient | undefined;
  const ctx = driverContext(desired, opts);

  const spec = (machine: string): MachineSpec => {
    const s = desired.machines[machine] ?? specFromState(machine, currentState(), desired.drivers);
    if (!s) throw new Error(`unknown machine ${machine}`);
    return s;
  };
  const endpoint = (machine: string): Promise<EngineEndpoint> => {
    let e = endpoints.get(machine);
    if (!e) {
      const s = spec(machine);
      e = driverFor(s.driver).engineUrl({ machine: s, driverData: currentState().machines[machine]?.driverData ?? {}, ctx });
      endpoints.set(machine, e);
      e.catch(() => endpoints.delete(machine)); // a later call may succeed (machine created meanwhile)
    }
    return e;
  };
  const docker = (machine: string): Promise<DockerClient> => {
    let c = clients.get(machine);
    if (!c) {
      c = (async () => {
        const ep = await endpoint(machine);
        if (ep.kind !== 'ssh') return dockerClient(ep);
        if (!opts.sshAgent) throw new Error(`${machine}: engine transport ssh is not available`);
        const agent = await opts.sshAgent(spec(machine), ep);
        agents.push(agent);
        return dockerClient(ep, { agent });
      })();
      clients.set(machine, c);
      c.catch(() => clients.delete(machine));
    }
    return c;
  };
  return {
    spec,
    endpoint,
    docker,
    local: () => (local ??= dockerClient(localEndpoint())),
    closeAll: async () => {
      for (const a of agents) a.destroy();
      // A TLS client's keep-alive connections (the same for all; settled promises only, a failed one has none).
      await Promise.all([...clients.values()].map((c) => c.then(closeDockerClient, () => undefined)));
      clients.clear();
      endpoints.clear();
      await opts.onClose?.();
    },
  };
}
