import { Command } from 'commander';
import { renderPlanText } from '../../plan/index.js';
import { out, outRendered, warn } from '../common.js';
import { confirmOrRefuse } from '../confirm.js';
import { refuseHeldRemovals } from '../held-removal.js';
import { execute } from '../execute.js';
import { parsePositiveInt } from '../options.js';
import { addPipelineOptions } from '../pipeline-options.js';
import { closeRun, hasChanges, prepareRun, type PipelineOptions } from '../pipeline.js';

interface DestroyOptions extends PipelineOptions {
  autoApprove?: boolean;
  parallelism: number;
  perMachine: number;
  json?: boolean;
}

export function destroyCommand(): Command {
  return addPipelineOptions(new Command('destroy'))
    .description('remove every machine and container mfile made for this file')
    .option('-y, --auto-approve', 'destroy without asking for confirmation')
    .option('--parallelism <N>', 'steps run at once', parsePositiveInt, 10)
    .option('--per-machine <N>', 'engine operations at once on one machine', parsePositiveInt, 4)
    .option('--json', 'print progress as JSON lines')
    .action(async (opts: DestroyOptions) => {
      const run = await prepareRun(opts, 'destroy', true);
      try {
        for (const w of run.plan.warnings) warn(w);
        refuseHeldRemovals(run.plan, run.state);
        if (!opts.json) outRendered(renderPlanText(run.plan));
        if (!hasChanges(run.plan)) return;
        const approved = await confirmOrRefuse('Do you really want to destroy all these resources?', opts.autoApprove === true);
        if (!approved) {
          out('Destroy cancelled.');
          process.exitCode = 1;
          return;
        }
        await execute(run, opts, 'Destroy');
      } finally {
        await closeRun(run);
      }
    });
}
