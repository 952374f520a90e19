// Types for generate.mjs, which tests import.
import type { Desired } from '../../src/model/desired.js';
import type { DriverCatalog } from '../../src/model/driver-traits.js';

export interface FleetSize {
  machines?: number;
  containers?: number;
}
/** A Desired as loadConfig would return it, with the driver catalog it was loaded against. */
export function generateDesired(size: FleetSize & { drivers: DriverCatalog }): Desired;
/** The same project as machines.yml. */
export function generateYaml(size?: FleetSize): string;
