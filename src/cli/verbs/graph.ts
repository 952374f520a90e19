import { Command } from 'commander';
import { renderPlanDot } from '../../plan/index.js';
import { warn } from '../common.js';
import { addPipelineOptions } from '../pipeline-options.js';
import { closeRun, prepareRun, type PipelineOptions } from '../pipeline.js';

export function graphCommand(): Command {
  return addPipelineOptions(new Command('graph'))
    .description('print the plan\'s dependency graph as Graphviz DOT (mfile graph | dot -Tsvg > plan.svg)')
    .action(async (opts: PipelineOptions) => {
      const run = await prepareRun(opts, 'graph', false);
      try {
        for (const w of run.plan.warnings) warn(w);
        process.stdout.write(renderPlanDot(run.plan));
      } finally {
        await closeRun(run);
      }
    });
}
