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

const WORLD = ['0.0.0.0/0', '::/0'];

/**
 * The warning for a cloud machine whose firewall opens the Docker API port to the whole internet (the default
 * when the block names no engine sources): stated in the plan, as `tls: false` is.
 */
export function openEngineWarning(spec: MachineSpec): string | undefined {
  const { traits } = spec;
  if (traits.engineSourcesKey === undefined || !traits.block || spec.engine.transport !== 'tcp') return undefined;
  const given = spec.driverOptions[traits.engineSourcesKey];
  const sources = Array.isArray(given) && given.length > 0 ? given.map(String) : WORLD;
  if (!sources.some((s) => WORLD.includes(s))) return undefined;
  const where = `${traits.block}.${traits.engineSourcesKey}`;
  return (
    `machine ${spec.name}: its firewall opens the Docker API port ${spec.engine.port} to the whole internet ` +
    `(${where}${Array.isArray(given) && given.length ? '' : ' defaults to 0.0.0.0/0 and ::/0'}): only mutual TLS guards it; name your addresses in ${where}`
  );
}
