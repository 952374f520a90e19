// Config hashes stamped on objects (io.mfile.config-hash) and recorded for machines' engine configuration.
import type { ContainerSpec, MachineSpec, NetworkSpec, VolumeSpec } from '../model/index.js';
import { canonicalJson, sha256Hex } from './canonical.js';
import { containerAttributes, engineAttributes, networkAttributes, volumeAttributes } from './attributes.js';

export { mask, MASKED } from './mask.js';

/**
 * sha256 hex of the normalised spec minus keys that must not force a recreate; the project is part of it.
 * Hashed in pruned form, so a field a later version adds with an empty default does not recreate everything.
 */
export function containerConfigHash(spec: ContainerSpec, project: string): string {
  return containerHashOfAttributes(containerAttributes(spec), project);
}

/** containerConfigHash() from already computed (unmasked) containerAttributes(spec). */
export function containerHashOfAttributes(attributes: Record<string, unknown>, project: string): string {
  return containerHashOfJson(canonicalJson(attributes), project);
}

/** The hash from canonicalJson(containerAttributes(spec)), for callers that need that JSON anyway. */
export function containerHashOfJson(attributesJson: string, project: string): string {
  return sha256Hex(`{"kind":"container","project":${JSON.stringify(project)},"spec":${attributesJson}}`);
}

export function networkConfigHash(spec: NetworkSpec, project: string): string {
  return sha256Hex(canonicalJson({ kind: 'network', project, spec: networkAttributes(spec) }));
}

export function volumeConfigHash(spec: VolumeSpec, project: string): string {
  return sha256Hex(canonicalJson({ kind: 'volume', project, spec: volumeAttributes(spec) }));
}

/** Hash of what provisioning writes: the engine block and the TLS subject alternative names. */
export function engineConfigHash(machine: MachineSpec): string {
  return sha256Hex(canonicalJson(engineAttributes(machine)));
}
