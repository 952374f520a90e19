// A plan warning for machines whose Docker API would be reachable without mutual TLS: whoever reaches that
// port controls the host, so `tls: false` must never pass silently.
import type { MachineSpec } from '../model/index.js';

/** The warning for a machine configured without TLS, else undefined. Names no URL (it may hold a secret). */
export function insecureWarning(spec: MachineSpec): string | undefined {
  const { traits } = spec;
  // An engine mfile does not provision, at a URL the block gives (driver none): TLS only with client files.
  if (traits.engineUrlKey !== undefined) {
    const url = spec.driverOptions[traits.engineUrlKey];
    const files = (spec.driverOptions.tls as { ca?: string; cert?: string; key?: string } | undefined) ?? spec.tls;
    if (typeof url === 'string' && url.startsWith('tcp://') && !(files?.ca && files.cert && files.key)) {
      return `machine ${spec.name}: insecure: its Docker API is reached over plain TCP without TLS (tls: false)`;
    }
    return undefined;
  }
  if (traits.provisioned && !spec.tls.enabled && spec.engine.transport === 'tcp') {
    return `machine ${spec.name}: tls: false is insecure and is ignored: mfile serves the Docker API over TCP only with mutual TLS (use engine.transport: ssh for no TCP port at all)`;
  }
  return undefined;
}

/** The warning for a cloud machine whose engine port the firewall opens to the whole internet, else undefined. */
export function openEngineWarning(spec: MachineSpec): string | undefined {
  const key = spec.traits.engineSourcesKey;
  if (key === undefined || spec.engine.transport !== 'tcp') return undefined;
  const given = spec.driverOptions[key];
  const sources = Array.isArray(given) ? given.map(String) : ['0.0.0.0/0'];
  const open = sources.filter((s) => s === '0.0.0.0/0' || s === '::/0');
  if (open.length === 0) return undefined;
  const how = Array.isArray(given) ? `${spec.traits.block}.${key}` : `the default of ${spec.traits.block}.${key}`;
  return `machine ${spec.name}: its engine port ${spec.engine.port} is open to ${open.join(', ')} (${how}): only mutual TLS guards it; list your own addresses there`;
}
