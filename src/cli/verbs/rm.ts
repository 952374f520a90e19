// mfile rm NAME... [-y]: destroy machines and what runs on them, through destroy's pipeline limited to those
// machines. Confirmation as destroy: `yes` on a TTY, refused without one unless -y.
import { Command } from 'commander';
import { UsageError } from '../../errors.js';
import type { Plan } from '../../model/index.js';
import { renderPlanText } from '../../plan/index.js';
import { summarise } from '../../plan/summary.js';
import { out, outRendered, warn } from '../common.js';
import { confirmOrRefuse } from '../confirm.js';
import { refuseHeldRemovals } from '../held-removal.js';
import { execute } from '../execute.js';
import { parsePositiveInt } from '../options.js';
import { addPipelineOptions } from '../pipeline-options.js';
import { closeRun, hasChanges, prepareRun, type PipelineOptions } from '../pipeline.js';

interface RmOptions extends PipelineOptions {
  autoApprove?: boolean;
  parallelism: number;
  perMachine: number;
  json?: boolean;
}

/** The destroy plan's nodes on these machines only (a container elsewhere that depends on one stays). */
function onMachines(plan: Plan, names: ReadonlySet<string>): Plan {
  const nodes = plan.nodes.filter((n) => names.has(n.machine));
  const kept = new Set(nodes.map((n) => n.address));
  for (const n of nodes) n.dependsOn = n.dependsOn.filter((d) => kept.has(d));
  return { ...plan, nodes, summary: summarise(nodes) };
}

export function rmCommand(): Command {
  return addPipelineOptions(new Command('rm'))
    .description('remove machines and everything mfile runs on them')
    .argument('<NAME...>', 'machine names')
    .option('-y, --auto-approve', 'remove without asking for confirmation')
    .option('--parallelism <N>', 'steps run at once', parsePositiveInt, 10)
    .option('--per-machine <N>', 'engine operations at once on one machine', parsePositiveInt, 4)
    .option('--json', 'print progress as JSON lines')
    .action(async (names: string[], opts: RmOptions) => {
      if (opts.target.length > 0) throw new UsageError('mfile rm takes machine names, not --target');
      const run = await prepareRun(opts, 'rm', true);
      try {
        const unknown = names.filter((n) => !run.state.machines[n]);
        if (unknown.length > 0) {
          const known = Object.keys(run.state.machines).sort();
          throw new UsageError(`no machine named ${unknown.join(', ')} in the state${known.length ? ` (known: ${known.join(', ')})` : ''}`);
        }
        run.plan = onMachines(run.plan, new Set(names));
        refuseHeldRemovals(run.plan, run.state);
        if (!opts.json) outRendered(renderPlanText(run.plan));
        const again = names.filter((n) => run.desired.machines[n]);
        if (again.length > 0) {
          warn(`${again.join(', ')} ${again.length === 1 ? 'is' : 'are'} still in machines.yml: the next mfile apply creates ${again.length === 1 ? 'it' : 'them'} again`);
        }
        if (!hasChanges(run.plan)) return;
        const question = `Do you really want to remove ${names.join(', ')} and everything on ${names.length === 1 ? 'it' : 'them'}?`;
        if (!(await confirmOrRefuse(question, opts.autoApprove === true))) {
          out('Remove cancelled.');
          process.exitCode = 1;
          return;
        }
        await execute(run, opts, 'Destroy');
      } finally {
        await closeRun(run);
      }
    });
}
