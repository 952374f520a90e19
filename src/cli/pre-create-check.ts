// Before a plan is shown (or applied), each machine it would create asks its driver whether that can work:
// options the schema cannot judge (a key file that is missing, a sandbox subnet that is not a /24, root and
// binaries). A refusal is one line naming the machine and driver, before anything exists.
import { driverFor } from '../drivers/registry.js';
import { DriverError, MfileError } from '../errors.js';
import type { Desired, Plan, State } from '../model/index.js';

/** Runs preCreateCheck for every machine node that creates or replaces; throws the first refusal, in plan order. */
export async function preCreateChecks(plan: Plan, desired: Desired, state: State, stateDir: string): Promise<void> {
  for (const node of plan.nodes) {
    if (node.kind !== 'machine' || (node.action !== 'create' && node.action !== 'replace')) continue;
    const spec = desired.machines[node.machine];
    if (!spec) continue;
    try {
      await driverFor(spec.driver).preCreateCheck({
        machine: spec,
        driverData: state.machines[node.machine]?.driverData ?? {},
        ctx: { stateDir, project: desired.project },
      });
    } catch (err) {
      if (err instanceof MfileError && !(err instanceof DriverError)) throw err;
      // A DriverError already starts with the machine's name; keep only its reason.
      const reason = err instanceof DriverError ? err.message.slice(err.machine.length + 2) : (err as Error).message;
      throw new DriverError(node.machine, `driver ${spec.driver} cannot create it: ${reason}`);
    }
  }
}
