// Driver `local`: the engine where mfile runs (DOCKER_HOST or the default socket). Nothing to create or remove.
import type { Driver, EngineEndpoint, MachineRequest, StatusResponse } from '../driver.js';
import { localEndpoint } from '../../remote/docker/client.js';
import { pingStatus } from './ping.js';
import { localTraits } from './traits.js';
import { lifecycleRefusal } from '../lifecycle-refusal.js';

/** mfile did not start this engine (the engine where mfile runs) and has no way to power it: start or stop Docker where it runs. */
const refusePower = async (req: MachineRequest): Promise<void> => {
  throw lifecycleRefusal(req.machine.name, localTraits, 'start');
};

export function localDriver(env: NodeJS.ProcessEnv = process.env): Driver {
  const noop = async (): Promise<void> => {};
  return {
    name: localTraits.name,
    traits: localTraits,
    preCreateCheck: noop,
    create: async () => ({ driverData: {} }),
    start: refusePower,
    stop: refusePower,
    restart: refusePower,
    kill: refusePower,
    remove: noop,
    status: async (): Promise<StatusResponse> => pingStatus(localEndpoint(env)),
    address: async () => null,
    engineUrl: async (_req: MachineRequest): Promise<EngineEndpoint> => localEndpoint(env),
  };
}
