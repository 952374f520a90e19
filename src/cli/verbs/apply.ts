import { Command } from 'commander';
import path from 'node:path';
import { renderPlanText } from '../../plan/index.js';
import { readPlanFile, assertPlanFresh, assertPlanUnchanged } from '../../state/plan-file.js';
import { readPlanKey } from '../../state/index.js';
import { UsageError } from '../../errors.js';
import { out, outRendered, warn } from '../common.js';
import { loadOrPrintJson } from '../config-errors-json.js';
import { confirmOrRefuse } from '../confirm.js';
import { execute } from '../execute.js';
import { collectList, parsePositiveInt } from '../options.js';
import { applyRefreshOnly } from '../refresh-only.js';
import { addPipelineOptions } from '../pipeline-options.js';
import { closeRun, hasChanges, openRun, prepareRun, type PipelineOptions, type PreparedRun } from '../pipeline.js';

// An engine creates and starts containers faster with more of them in hand (measured in bench/containers: 16
// at once beat 4 by about an eighth on a quiet box, and docker-compose gives it up to 64); 16 stays well under
// what one engine takes at once. Terraform's 10 steps at once stays the floor for everything else.
const DEFAULT_PER_MACHINE = 16;
const DEFAULT_PARALLELISM = 10;

interface ApplyOptions extends PipelineOptions {
  yes?: boolean;
  /** Unset: DEFAULT_PARALLELISM, or perMachine when higher, so one engine gets its full width. */
  parallelism?: number;
  perMachine: number;
  json?: boolean;
  refreshOnly?: boolean;
}

export function applyCommand(): Command {
  return addPipelineOptions(new Command('apply'))
    .description('make the machines and containers match machines.yml (or run a saved plan)')
    .argument('[PLANFILE]', 'a plan saved by `mfile plan --out`')
    .option('-y, --auto-approve', 'apply without asking for confirmation')
    .option('--replace <ADDR>', 'replace this machine or container even if nothing changed (repeatable; Terraform\'s -replace=ADDR works too)', collectList, [])
    .option('--yes', 'same as --auto-approve')
    .option('--parallelism <N>', `steps run at once (default: ${DEFAULT_PARALLELISM}, or --per-machine when higher)`, parsePositiveInt)
    .option('--per-machine <N>', 'engine operations at once on one machine', parsePositiveInt, DEFAULT_PER_MACHINE)
    .option('--json', 'print progress as JSON lines')
    .option('--refresh-only', 'record in the state what changed outside mfile, changing no machine (Terraform\'s -refresh-only works too)')
    .action(async (planFile: string | undefined, opts: ApplyOptions & { autoApprove?: boolean }) => {
      if (opts.refreshOnly) {
        if (planFile) throw new UsageError('--refresh-only refreshes now: it takes no PLANFILE');
        return applyRefreshOnly(opts);
      }
      if (planFile && opts.replace?.length) throw new UsageError('--replace belongs to the plan: give it to `mfile plan --out`, not to apply PLANFILE');
      const run = await loadOrPrintJson(opts.json, () => (planFile ? fromPlanFile(planFile, opts) : prepareRun(opts, 'apply', false)));
      if (!run) return;
      try {
        for (const w of run.plan.warnings) warn(w);
        if (!hasChanges(run.plan)) {
          if (!opts.json) outRendered(renderPlanText(run.plan));
          return;
        }
        if (!planFile) {
          if (!opts.json) outRendered(renderPlanText(run.plan, { color: process.stdout.isTTY === true && !process.env.NO_COLOR }));
          const approved = await confirmOrRefuse('Do you want to perform these actions?', opts.autoApprove === true || opts.yes === true);
          if (!approved) {
            out('Apply cancelled.');
            process.exitCode = 1;
            return;
          }
        }
        await execute(run, { ...opts, parallelism: opts.parallelism ?? Math.max(DEFAULT_PARALLELISM, opts.perMachine) }, 'Apply');
      } finally {
        await closeRun(run);
      }
    });
}

async function fromPlanFile(planFile: string, opts: ApplyOptions): Promise<PreparedRun> {
  const file = path.resolve(planFile);
  const saved = readPlanFile(file);
  const run = await openRun({ ...opts, file: opts.file === 'machines.yml' ? saved.configPath : opts.file }, 'apply');
  try {
    const plan = assertPlanUnchanged(saved, await readPlanKey(path.dirname(run.store.path)), file);
    assertPlanFresh(plan, run.state, run.desired);
    return { ...run, plan };
  } catch (err) {
    await closeRun(run);
    throw err;
  }
}
