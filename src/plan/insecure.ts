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
