// The step handler for each plan node kind.
import type { StepHandlers } from '../types.js';
import { containerStep } from './container.js';
import { imageStep } from './image.js';
import { machineStep } from './machine.js';
import { networkStep } from './network.js';
import { volumeStep } from './volume.js';
import { swarmNodeStep } from './swarm-node.js';
import { swarmObjectStep } from './swarm-object.js';
import { swarmServiceStep } from './swarm-service.js';

export const defaultHandlers: StepHandlers = {
  machine: machineStep,
  network: networkStep,
  volume: volumeStep,
  image: imageStep,
  container: containerStep,
  swarm: swarmNodeStep,
  service: swarmServiceStep,
  'swarm-network': swarmObjectStep,
  'swarm-secret': swarmObjectStep,
  'swarm-config': swarmObjectStep,
};
