// Driver `none`: an existing engine at a URL (`none: {url}`), tcp with client TLS files or a unix socket.
// Nothing to create or remove: mfile only talks to the engine.
import { dirname, isAbsolute, resolve } from 'node:path';
import type { Driver, EngineEndpoint, MachineRequest, StatusResponse } from '../driver.js';
import { pingStatus } from '../local/ping.js';
import { noneTraits } from './traits.js';
import { DriverError } from '../../errors.js';
import { lifecycleRefusal } from '../lifecycle-refusal.js';

/** mfile did not start this engine (an engine at a URL) and has no way to power it: start or stop Docker where it runs. */
const refusePower = async (req: MachineRequest): Promise<void> => {
  throw lifecycleRefusal(req.machine.name, noneTraits, 'start');
};

interface TlsFiles {
  ca?: string;
  cert?: string;
  key?: string;
}

function endpointOf(req: MachineRequest): EngineEndpoint {
  const { machine } = req;
  const url = machine.driverOptions.url;
  if (typeof url !== 'string' || !url) throw new DriverError(machine.name, 'driver none needs `none: { url }`');
  if (url.startsWith('unix://')) return { kind: 'unix', socketPath: url.slice('unix://'.length) };
  if (!/^tcp:\/\//.test(url)) throw new DriverError(machine.name, `unsupported engine URL ${url} (use tcp:// or unix://)`);
  const u = new URL(url.replace(/^tcp:/, 'http:'));
  const tlsOpt = (machine.driverOptions.tls as TlsFiles | undefined) ?? machine.tls;
  // Relative paths are relative to the config's folder (the state dir sits beside it).
  const base = dirname(req.ctx.stateDir);
  const abs = (p: string): string => (isAbsolute(p) ? p : resolve(base, p));
  const port = Number(u.port || 2376);
  if (tlsOpt?.ca && tlsOpt.cert && tlsOpt.key) {
    return { kind: 'tcp', host: u.hostname, port, tls: { ca: abs(tlsOpt.ca), cert: abs(tlsOpt.cert), key: abs(tlsOpt.key) } };
  }
  return { kind: 'tcp', host: u.hostname, port };
}

export function noneDriver(): Driver {
  const noop = async (): Promise<void> => {};
  return {
    name: noneTraits.name,
    traits: noneTraits,
    preCreateCheck: async (req) => void endpointOf(req),
    create: async () => ({ driverData: {} }),
    start: refusePower,
    stop: refusePower,
    restart: refusePower,
    kill: refusePower,
    remove: noop,
    status: async (req): Promise<StatusResponse> => pingStatus(endpointOf(req)),
    address: async () => null,
    engineUrl: async (req) => endpointOf(req),
  };
}
