// Driver lookup by name: the implementations of the built-in catalog's drivers.
import type { DriverName } from '../model/index.js';
import type { Driver } from './driver.js';
import { BUILTIN_TRAITS } from './catalog.js';
import { genericTraits } from './generic/traits.js';
import { localTraits } from './local/traits.js';
import { noneTraits } from './none/traits.js';
import { sandboxTraits } from './sandbox/traits.js';
import { qemuTraits } from './qemu/traits.js';
import { localDriver } from './local/index.js';
import { noneDriver } from './none/index.js';
import { sandboxDriver } from './sandbox/index.js';
import { genericDriver } from './generic/index.js';
import { qemuDriver } from './qemu/index.js';
import { hetznerTraits } from './hetzner/traits.js';
import { digitaloceanTraits } from './digitalocean/traits.js';
import { digitaloceanDriver } from './digitalocean/index.js';
import { hetznerDriver } from './hetzner/index.js';
import { amazonec2Traits } from './amazonec2/traits.js';
import { lazyDriver } from './lazy-driver.js';
import { UsageError } from '../errors.js';
import { pluginDriver } from './plugin/adapter.js';
import { describePluginSync, pluginOnPath } from './plugin/discovery.js';
import { PluginFailure } from './plugin/failure.js';
import { dockerMachineDriverName } from '../model/docker-machine-names.js';
import { dockerMachineDriver } from './docker-machine/driver.js';

const factories: ReadonlyMap<string, () => Driver> = new Map<string, () => Driver>([
  [localTraits.name, () => localDriver()],
  [noneTraits.name, noneDriver],
  [sandboxTraits.name, sandboxDriver],
  [genericTraits.name, genericDriver],
  [qemuTraits.name, qemuDriver],
  [hetznerTraits.name, () => hetznerDriver()],
  [digitaloceanTraits.name, () => digitaloceanDriver()],
  // The AWS SDK loads only when an EC2 machine is acted on.
  [amazonec2Traits.name, () => lazyDriver(amazonec2Traits, async () => (await import('./amazonec2/index.js')).amazonec2Driver())],
]);

const cache = new Map<string, Driver>();
/** Drivers found at run time (plugins), registered by the CLI before machines.yml is loaded. */
const registered = new Map<string, () => Driver>();

export function registerDriver(name: string, make: () => Driver): void {
  registered.set(name, make);
  cache.delete(name);
}

/** Names of the drivers this build can run. */
export function knownDrivers(): string[] {
  return BUILTIN_TRAITS.map((t) => t.name).sort();
}

export function driverFor(name: DriverName): Driver {
  let d = cache.get(name);
  if (!d) {
    const make = registered.get(name) ?? factories.get(name) ?? pluginOnPathFactory(name);
    if (!make) throw new UsageError(`unknown driver "${name}" (known drivers: ${knownDrivers().join(', ')})`);
    d = make();
    cache.set(name, d);
  }
  return d;
}

/** A plugin on PATH for a driver no one registered (a machine only the state still names). */
function pluginOnPathFactory(name: string): (() => Driver) | undefined {
  // docker-machine:NAME: its operations say so in one line when the binary is not on PATH.
  const dm = dockerMachineDriverName(name);
  if (dm !== undefined) return () => dockerMachineDriver({ name: dm });
  const path = pluginOnPath(name);
  if (!path) return undefined;
  return () => {
    try {
      return pluginDriver(describePluginSync(path, name));
    } catch (err) {
      if (err instanceof PluginFailure) throw new UsageError(err.message);
      throw err;
    }
  };
}
