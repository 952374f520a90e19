// The pending-create record: what a cloud create has made so far (ids of key, firewall, server). The executor
// saves the machine as pending before the create; when the create fails half-way, the ids travel in the error
// so the tainted record names them and the rerun removes exactly those before creating anew.
import { DriverError } from '../../errors.js';

export class CreateIncompleteError extends DriverError {
  constructor(
    machine: string,
    readonly driverData: Record<string, unknown>,
    readonly reason: unknown,
  ) {
    // The reason's own message already names the machine.
    super(machine, reason instanceof DriverError ? reason.message.slice(machine.length + 2) : (reason as Error).message);
  }
}

/** What a failed create left behind, for the tainted record ({} when nothing is known). */
export function createdSoFar(err: unknown): Record<string, unknown> {
  return err instanceof CreateIncompleteError ? err.driverData : {};
}

/** Runs a create, collecting ids in `made`; a failure carries them out. */
export async function trackCreate<T>(machine: string, made: Record<string, unknown>, body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (err) {
    if (err instanceof CreateIncompleteError) throw err;
    throw new CreateIncompleteError(machine, { ...made }, err);
  }
}
