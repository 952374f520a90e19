// Config hashes stamped on objects (io.mfile.config-hash) and recorded for machines' engine configuration.
import type { ContainerSpec, MachineSpec, NetworkSpec, SensitiveDigest, VolumeSpec } from '../model/index.js';
import { withSensitiveDigests } from '../model/sensitive-digest.js';
import { canonicalJson, sha256Hex } from './canonical.js';
import { containerAttributes, engineAttributes, networkAttributes, volumeAttributes } from './attributes.js';

export { mask, MASKED } from '../masking.js';

const hashableJson = (json: string, digests?: readonly SensitiveDigest[]): string => withSensitiveDigests(json, digests);

/**
 * sha256 hex of the normalised spec minus keys that must not force a recreate; the project is part of it.
 * Hashed in pruned form, so a field a later version adds with an empty default does not recreate everything.
 */
export function containerConfigHash(spec: ContainerSpec, project: string, digests?: readonly SensitiveDigest[]): string {
  return containerHashOfJson(canonicalJson(containerAttributes(spec)), project, digests);
}

/** The hash from canonicalJson(containerAttributes(spec)), for callers that need that JSON anyway. */
export function containerHashOfJson(attributesJson: string, project: string, digests?: readonly SensitiveDigest[]): string {
  return sha256Hex(`{"kind":"container","project":${JSON.stringify(project)},"spec":${hashableJson(attributesJson, digests)}}`);
}

export function networkConfigHash(spec: NetworkSpec, project: string, digests?: readonly SensitiveDigest[]): string {
  return sha256Hex(hashableJson(canonicalJson({ kind: 'network', project, spec: networkAttributes(spec) }), digests));
}

export function volumeConfigHash(spec: VolumeSpec, project: string, digests?: readonly SensitiveDigest[]): string {
  return sha256Hex(hashableJson(canonicalJson({ kind: 'volume', project, spec: volumeAttributes(spec) }), digests));
}

/** Hash of what provisioning writes: the engine block and the TLS subject alternative names. */
export function engineConfigHash(machine: MachineSpec, digests?: readonly SensitiveDigest[]): string {
  return sha256Hex(hashableJson(canonicalJson(engineAttributes(machine)), digests));
}
