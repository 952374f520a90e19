// A machine held stopped (mfile stop/kill) whose objects need its engine to be removed: the removal is refused
// before anything runs, naming the machine and the way out, instead of failing every container delete on it.
import { UsageError } from '../errors.js';
import type { Plan, State } from '../model/index.js';

export function refuseHeldRemovals(plan: Plan, state: State): void {
  const needEngine = new Set(plan.nodes.filter((n) => n.kind !== 'machine' && n.action === 'delete' && !n.removedWithMachine).map((n) => n.machine));
  const held = [...needEngine].sort().filter((m) => state.machines[m]?.hold);
  if (held.length === 0) return;
  const lines = held.map((m) => {
    const hold = state.machines[m].hold!;
    return `${m} is held stopped by 'mfile ${hold.verb}' at ${hold.at}: its engine must run to remove what mfile runs on it; run 'mfile start ${m}' first`;
  });
  throw new UsageError(lines.join('\n'));
}
