// The engine after a boot: systemd starts the docker unit with the guest; this makes sure it was started and
// waits until it answers where the controller reaches it (the bridge address, or the forwarded TLS port), with
// the longer bounds an emulated (TCG) guest needs.
import type { MachineRequest } from '../driver.js';
import { engineService, type EngineTarget } from '../engine-service.js';

export function startEngine(req: MachineRequest, target: EngineTarget, at: { host: string; enginePort: number }): Promise<void> {
  return engineService(req, { ...target, engineHost: at.host, enginePort: at.enginePort }, 'start', { sshMs: 120_000, engineMs: 300_000 });
}
