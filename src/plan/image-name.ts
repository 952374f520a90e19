// The name an image goes by in addresses, the state and progress. A reference that holds a sensitive value
// (`registry.example.com/${token}/app:1`) cannot name its node: it is `(sensitive)#<12 hex>` instead, a sha256 of
// the reference with each sensitive value replaced by its salted slow digest. Stable across runs and clones,
// distinct for distinct references, and no cheap way to test a guessed secret.
import type { SensitiveDigest } from '../model/index.js';
import { sha256Hex } from './canonical.js';
import { withSensitiveDigests } from '../model/sensitive-digest.js';
import { MASKED } from '../masking.js';

export interface ImageNaming {
  sensitiveValues: readonly string[];
  sensitiveDigests?: readonly SensitiveDigest[];
}

export function imageNodeName(ref: string, naming: ImageNaming): string {
  if (!naming.sensitiveValues.some((s) => s !== '' && ref.includes(s))) return ref;
  return `${MASKED}#${sha256Hex(`image\0${withSensitiveDigests(ref, naming.sensitiveDigests, false)}`).slice(0, 12)}`;
}

/** True for a stand-in name: the reference itself is only in machines.yml. */
export function isMaskedImageName(name: string): boolean {
  return name.startsWith(`${MASKED}#`);
}
