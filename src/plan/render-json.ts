// The plan as JSON for `mfile plan --json`: snake_case keys, stable order.
import type { Plan } from '../model/index.js';

export interface PlanJson {
  format_version: 1;
  mfile_version: string;
  project: string;
  destroy: boolean;
  config_digest: string;
  state_lineage: string;
  state_serial: number;
  nodes: {
    address: string;
    kind: string;
    machine: string;
    name: string;
    action: string;
    reasons: string[];
    before: Record<string, unknown> | null;
    after: Record<string, unknown> | null;
    depends_on: string[];
    existing_id?: string;
    replace_strategy?: { kind: 'start-first' | 'stop-first'; because?: string[] };
    /** A rolling update's batch (deploy.update_config). */
    rolling?: { batch: number; batches: number; delay_ms: number; monitor_ms: number; failure_action: string };
    /** The previous version an interrupted rolling step left stopped: started again if this update fails. */
    previous_ran?: true;
    /** Order-only edges: waited for, but their failure skips nothing. */
    runs_after?: string[];
    /** What a machine's create will choose on this computer (a VM's accelerator), as refresh found it. */
    create_choices?: { summary: string; values: Record<string, string> };
  }[];
  summary: { add: number; change: number; destroy: number };
  warnings: string[];
}

export function planToJson(plan: Plan): PlanJson {
  return {
    format_version: 1,
    mfile_version: plan.mfileVersion,
    project: plan.project,
    destroy: plan.destroy,
    config_digest: plan.configDigest,
    state_lineage: plan.stateLineage,
    state_serial: plan.stateSerial,
    nodes: plan.nodes.map((n) => ({
      address: n.address,
      kind: n.kind,
      machine: n.machine,
      name: n.name,
      action: n.action,
      reasons: n.reasons,
      before: n.before,
      after: n.after,
      depends_on: n.dependsOn,
      ...(n.existingId !== undefined ? { existing_id: n.existingId } : {}),
      ...(n.replaceStrategy !== undefined ? { replace_strategy: { ...n.replaceStrategy } } : {}),
      ...(n.previousRan ? { previous_ran: true as const } : {}),
      ...(n.removedWithMachine ? { removed_with_machine: true } : {}),
      ...(n.rolling
        ? { rolling: { batch: n.rolling.batch, batches: n.rolling.batches, delay_ms: n.rolling.delayMs, monitor_ms: n.rolling.monitorMs, failure_action: n.rolling.failureAction } }
        : {}),
      ...(n.runsAfter ? { runs_after: n.runsAfter } : {}),
      ...(n.createChoices ? { create_choices: { summary: n.createChoices.summary, values: { ...n.createChoices.values } } } : {}),
    })),
    summary: { add: plan.summary.add, change: plan.summary.change, destroy: plan.summary.destroy },
    warnings: plan.warnings,
  };
}
