// The drivers compiled into mfile, as data. Plugin drivers add their traits to a copy of this catalog.
import type { DriverCatalog, DriverTraits } from '../model/index.js';
import { digitaloceanTraits } from './digitalocean/traits.js';
import { genericTraits } from './generic/traits.js';
import { hetznerTraits } from './hetzner/traits.js';
import { localTraits } from './local/traits.js';
import { noneTraits } from './none/traits.js';
import { qemuTraits } from './qemu/traits.js';
import { sandboxTraits } from './sandbox/traits.js';
import { amazonec2Traits } from './amazonec2/traits.js';

export const BUILTIN_TRAITS: readonly DriverTraits[] = [localTraits, noneTraits, sandboxTraits, genericTraits, qemuTraits, hetznerTraits, digitaloceanTraits, amazonec2Traits];

/** A fresh catalog of the built-in drivers (a new Map each time, so a caller may add plugins to it). */
export function builtinCatalog(): Map<string, DriverTraits> {
  return new Map(BUILTIN_TRAITS.map((t) => [t.name, t]));
}
