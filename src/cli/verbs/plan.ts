import { Command } from 'commander';
import { renderPlanTextTo, planToJson } from '../../plan/index.js';
import { writePlanFile } from '../../state/plan-file.js';
import { ensurePlanKey } from '../../state/index.js';
import path from 'node:path';
import { out, outRenderedChunks, warn } from '../common.js';
import { loadOrPrintJson } from '../config-errors-json.js';
import { collectList } from '../options.js';
import { planRefreshOnly } from '../refresh-only.js';
import { addPipelineOptions } from '../pipeline-options.js';
import { closeRun, hasChanges, prepareRun, type PipelineOptions } from '../pipeline.js';

interface PlanOptions extends PipelineOptions {
  out?: string;
  json?: boolean;
  detailedExitcode?: boolean;
  destroy?: boolean;
  refreshOnly?: boolean;
}

export function planCommand(): Command {
  return addPipelineOptions(new Command('plan'))
    .description('show what apply would change, against the state and what is really running')
    .option('--out <PLANFILE>', 'save the plan for `mfile apply PLANFILE`')
    .option('--json', 'print the plan as JSON')
    .option('--destroy', 'plan the destruction of everything in the state')
    .option('--replace <ADDR>', 'replace this machine or container even if nothing changed (repeatable; Terraform\'s -replace=ADDR works too)', collectList, [])
    .option('--refresh-only', 'show only what changed outside mfile (Terraform\'s -refresh-only works too)')
    .option('--detailed-exitcode', 'exit 0 for no changes, 2 for changes, 1 for errors')
    .action(async (opts: PlanOptions) => {
      if (opts.refreshOnly) return planRefreshOnly(opts);
      const run = await loadOrPrintJson(opts.json, () => prepareRun(opts, 'plan', opts.destroy === true));
      if (!run) return;
      try {
        for (const w of run.plan.warnings) warn(w);
        if (opts.json) out(JSON.stringify(planToJson(run.plan), null, 2));
        else outRenderedChunks((emit) => renderPlanTextTo(run.plan, emit, { color: process.stdout.isTTY === true && !process.env.NO_COLOR }));
        if (opts.out) {
          await writePlanFile(opts.out, run.plan, await ensurePlanKey(path.dirname(run.store.path)));
          if (!opts.json) out(`\nSaved the plan to ${opts.out}. To apply exactly this plan: mfile apply ${opts.out}`);
        }
        if (opts.detailedExitcode && hasChanges(run.plan)) process.exitCode = 2;
      } finally {
        await closeRun(run);
      }
    });
}
