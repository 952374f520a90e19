// The attributes the planner compares, shows and hands to apply (node.after becomes the state record's
// attributes). Each object's attributes are exactly what its config hash covers, pruned of empty values so that
// plans stay short and "absent" and "empty" compare equal.
import type { ContainerSpec, MachineSpec, NetworkSpec, VolumeSpec } from '../model/index.js';
import { sha256Hex } from './canonical.js';

/** ContainerSpec keys that must not force a recreate (Compose drops the same from its config hash). */
export const CONTAINER_HASH_EXCLUDED: ReadonlySet<string> = new Set([
  'depends_on',
  'pull_policy',
  'machines',
  // The image ID is compared on its own; build inputs change the image, not the container config.
  'build',
  // One container per machine and address; a count is not container config.
  'replicas',
  // How a change is rolled out, not what runs.
  'update_config',
]);

/**
 * Drops keys whose value is undefined, null, false, an empty list or an empty map, recursively (list elements are
 * kept). A map that only becomes empty by pruning is kept: in `networks: {backend: {aliases: []}}` the key is the
 * attachment. Returns the input itself when nothing is dropped: large plans share structure with the Desired
 * instead of holding a copy of every spec (copies that survive are what makes the garbage collector slow).
 */
export function prune(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const p = prune(value[i]);
      if (p !== value[i]) (out ??= value.slice())[i] = p;
    }
    return out ?? value;
  }
  const obj = value as Record<string, unknown>;
  let out: Record<string, unknown> | undefined;
  let dropped = false;
  const keys = Object.keys(obj);
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i];
    const v = obj[k];
    if (isEmpty(v)) {
      dropped = true;
      continue;
    }
    const p = prune(v);
    if (p !== v) (out ??= {})[k] = p;
  }
  if (!dropped && out === undefined) return obj;
  const copy: Record<string, unknown> = {};
  for (const k of keys) if (!isEmpty(obj[k])) copy[k] = out && k in out ? out[k] : obj[k];
  return copy;
}

function isEmpty(v: unknown): boolean {
  if (v === undefined || v === null || v === false) return true;
  if (typeof v !== 'object') return false;
  if (Array.isArray(v)) return v.length === 0;
  return !hasOwnKeys(v);
}

/** Whether the object has an own enumerable key: the first one answers, where Object.keys would list them all. */
export function hasOwnKeys(o: object): boolean {
  for (const k in o) if (Object.hasOwn(o, k)) return true;
  return false;
}

/**
 * Unmasked container attributes (mask before showing or storing): the spec, pruned, without the name (it is in
 * the address) and the keys the config hash leaves out.
 */
export function containerAttributes(spec: ContainerSpec): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const fields = spec as unknown as Record<string, unknown>;
  // for-in walks the spec's cached key list; Object.keys made a 40-key array per container.
  for (const k in fields) {
    const v = fields[k];
    if (isEmpty(v) || k === 'name' || CONTAINER_HASH_EXCLUDED.has(k)) continue;
    out[k] = prune(v);
  }
  return out;
}

export function networkAttributes(spec: NetworkSpec): Record<string, unknown> {
  const out = prune({
    driver: spec.driver,
    driver_opts: spec.driverOpts,
    internal: spec.internal,
    attachable: spec.attachable,
    enable_ipv6: spec.enableIpv6,
    labels: spec.labels,
    ipam: spec.ipam,
  }) as Record<string, unknown>;
  // true is the default and stays out, so networks written before the key existed keep their hash.
  return spec.enableIpv4 === false ? { ...out, enable_ipv4: false } : out;
}

export function volumeAttributes(spec: VolumeSpec): Record<string, unknown> {
  return prune({ driver: spec.driver, driver_opts: spec.driverOpts, labels: spec.labels }) as Record<string, unknown>;
}

/**
 * What provisioning writes on the host (daemon.json and the TLS server certificate). install, installScript and
 * uninstall only steer how provisioning runs, so they do not restart the daemon.
 */
export function engineAttributes(machine: MachineSpec): Record<string, unknown> {
  const e = machine.engine;
  return prune({
    port: e.port,
    transport: e.transport,
    labels: e.labels,
    registry_mirrors: e.registryMirrors,
    insecure_registries: e.insecureRegistries,
    // The CAs by their digest: a changed CA is rewritten, and a plan shows which one without the whole PEM.
    registry_cas: e.registryCas ? Object.fromEntries(Object.entries(e.registryCas).map(([a, pem]) => [a, `sha256:${sha256Hex(pem).slice(0, 16)}`])) : undefined,
    storage_driver: e.storageDriver,
    log_driver: e.logDriver,
    log_opts: e.logOpts,
    daemon: e.daemon,
    tls: { enabled: machine.tls.enabled, san: machine.tls.san },
  }) as Record<string, unknown>;
}
