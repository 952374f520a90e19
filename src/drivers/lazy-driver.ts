// A driver whose implementation module loads on its first call. The EC2 driver pulls in the AWS SDK, whose
// loading cost every mfile run (validate, plan, --help...) about 0.4 s of CPU before it did anything.
import type { DriverTraits, SshAddress } from '../model/index.js';
import type { CreateResponse, Driver, EngineEndpoint, MachineRequest, StatusResponse } from './driver.js';

export function lazyDriver(traits: DriverTraits, load: () => Promise<Driver>): Driver {
  let loading: Promise<Driver> | undefined;
  const real = (): Promise<Driver> => (loading ??= load());
  return {
    name: traits.name,
    traits,
    preCreateCheck: async (req: MachineRequest): Promise<void> => (await real()).preCreateCheck(req),
    create: async (req: MachineRequest): Promise<CreateResponse> => (await real()).create(req),
    start: async (req: MachineRequest): Promise<void> => (await real()).start(req),
    stop: async (req: MachineRequest): Promise<void> => (await real()).stop(req),
    restart: async (req: MachineRequest): Promise<void> => (await real()).restart(req),
    kill: async (req: MachineRequest): Promise<void> => (await real()).kill(req),
    remove: async (req: MachineRequest): Promise<void> => (await real()).remove(req),
    status: async (req: MachineRequest): Promise<StatusResponse> => (await real()).status(req),
    address: async (req: MachineRequest): Promise<SshAddress | null> => (await real()).address(req),
    engineUrl: async (req: MachineRequest): Promise<EngineEndpoint> => (await real()).engineUrl(req),
  };
}
