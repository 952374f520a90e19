// `plan --refresh-only` and `apply --refresh-only`: refresh, compare with the state, and (apply) write only the
// state's records. No step runs on any machine.
import { UsageError } from '../errors.js';
import { applyDrift, driftCounts, driftHasChanges, driftToJson, plan as makePlan, refreshOnlyDrift, renderDriftText, targetMatcher, type Drift } from '../plan/index.js';
import { out, outRendered, warn } from './common.js';
import { confirmOrRefuse } from './confirm.js';
import { closeRun, observe, openRun, type PipelineOptions } from './pipeline.js';

export interface RefreshOnlyOptions extends PipelineOptions {
  json?: boolean;
}

function checkOptions(opts: RefreshOnlyOptions): void {
  if (!opts.refresh) throw new UsageError('--refresh-only needs a refresh: drop --refresh=false');
  if (opts.replace?.length) throw new UsageError('--refresh-only changes no machine: it cannot be combined with --replace');
}

function targeted(drift: Drift, targets: string[]): Drift {
  if (targets.length === 0) return drift;
  const ms = targets.map(targetMatcher);
  return { ...drift, entries: drift.entries.filter((e) => ms.some((m) => m(e.address))) };
}

function show(drift: Drift, json: boolean | undefined): void {
  if (json) out(JSON.stringify(driftToJson(drift), null, 2));
  else outRendered(renderDriftText(drift));
}

/** Runs the refresh-only pipeline; `write` decides (after the drift is shown) whether the state is written. */
async function withDrift(opts: RefreshOnlyOptions, operation: string, then: (drift: Drift, commit: () => Promise<number>) => Promise<void>): Promise<void> {
  checkOptions(opts);
  const run = await openRun(opts, operation);
  try {
    const observed = await observe(run, true);
    const plan = makePlan(run.desired, run.state, observed, {});
    const drift = targeted(refreshOnlyDrift(run.state, observed, plan, run.desired.drivers, new Date().toISOString()), opts.target);
    for (const w of plan.warnings) warn(w);
    await then(drift, async () => (await run.store.write(applyDrift(run.state, drift))).serial);
  } finally {
    await closeRun(run);
  }
}

export async function planRefreshOnly(opts: RefreshOnlyOptions & { detailedExitcode?: boolean }): Promise<void> {
  await withDrift(opts, 'plan', async (drift) => {
    show(drift, opts.json);
    if (opts.detailedExitcode && driftHasChanges(drift)) process.exitCode = 2;
  });
}

export async function applyRefreshOnly(opts: RefreshOnlyOptions & { autoApprove?: boolean; yes?: boolean }): Promise<void> {
  await withDrift(opts, 'apply', async (drift, commit) => {
    show(drift, opts.json);
    if (!driftHasChanges(drift)) return;
    const approved = await confirmOrRefuse('Would you like to update the mfile state to reflect these detected changes?', opts.autoApprove === true || opts.yes === true);
    if (!approved) {
      out('Apply cancelled.');
      process.exitCode = 1;
      return;
    }
    const serial = await commit();
    const c = driftCounts(drift);
    const line = `Apply complete! State updated (serial ${serial}): ${c.record} recorded, ${c.update} updated, ${c.forget} forgotten; no machine was changed.`;
    if (opts.json) process.stderr.write(`${line}\n`);
    else out(`\n${line}`);
  });
}
