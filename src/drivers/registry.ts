// Driver lookup by name: the implementations of the built-in catalog's drivers.
import type { DriverName } from '../model/index.js';
import type { Driver } from './driver.js';
import { BUILTIN_TRAITS } from './catalog.js';
import { genericTraits } from './generic/traits.js';
import { localTraits } from './local/traits.js';
import { noneTraits } from './none/traits.js';
import { sandboxTraits } from './sandbox/traits.js';
import { localDriver } from './local/index.js';
import { noneDriver } from './none/index.js';
import { sandboxDriver } from './sandbox/index.js';
import { genericDriver } from './generic/index.js';
import { UsageError } from '../errors.js';

const factories: ReadonlyMap<string, () => Driver> = new Map<string, () => Driver>([
  [localTraits.name, () => localDriver()],
  [noneTraits.name, noneDriver],
  [sandboxTraits.name, sandboxDriver],
  [genericTraits.name, genericDriver],
]);

const cache = new Map<string, Driver>();

/** Names of the drivers this build can run. */
export function knownDrivers(): string[] {
  return BUILTIN_TRAITS.map((t) => t.name).sort();
}

export function driverFor(name: DriverName): Driver {
  let d = cache.get(name);
  if (!d) {
    const make = factories.get(name);
    if (!make) throw new UsageError(`unknown driver "${name}" (known drivers: ${knownDrivers().join(', ')})`);
    d = make();
    cache.set(name, d);
  }
  return d;
}
