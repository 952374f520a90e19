// Types for generate.mjs, which tests import.
import type { Desired } from '../../src/model/desired.js';

export interface FleetSize {
  machines?: number;
  containers?: number;
}
/** A Desired as loadConfig would return it. */
export function generateDesired(size?: FleetSize): Desired;
/** The same project as machines.yml. */
export function generateYaml(size?: FleetSize): string;
