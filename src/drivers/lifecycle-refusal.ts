// The one refusal of a lifecycle operation a driver does not offer, worded from its traits.
import { DriverError } from '../errors.js';
import type { DriverTraits, LifecycleOperation } from '../model/index.js';

export function lifecycleRefusal(machine: string, traits: DriverTraits, verb: LifecycleOperation): DriverError {
  const { name, lifecycle, lifecycleRefusal: why } = traits;
  const what = lifecycle.length ? verb : 'start, stop, restart or kill';
  return new DriverError(machine, `driver ${name} cannot ${what} its engine: ${why ?? `it offers only ${lifecycle.join(', ')}`}`);
}
