// Runs a prepared plan with progress, interrupt handling and a closing summary. Shared by apply and destroy.
import { applyPlan, type ApplyResult } from '../apply/index.js';
import { createRenderer, type RendererKind } from '../progress/index.js';
import { ApplyFailedError, InterruptedError } from '../errors.js';
import { terminalLine } from '../terminal-text.js';
import type { PreparedRun } from './pipeline.js';
import { handleInterrupts } from './interrupt.js';
import { maskText } from '../masking.js';
import type { ProgressSink } from '../model/index.js';

/** Every progress event passes the masker before a renderer sees it: step text quotes refs, engine errors... */
export function maskedSink(sink: ProgressSink): ProgressSink {
  return (e) => sink({ ...e, id: maskText(e.id), text: maskText(e.text) });
}

export interface ExecuteOptions {
  parallelism: number;
  perMachine: number;
  json?: boolean;
}

export function rendererKind(json: boolean | undefined): RendererKind {
  if (json) return 'json';
  if (process.stderr.isTTY && !process.env.CI) return 'tty';
  return 'plain';
}

export async function execute(run: PreparedRun, opts: ExecuteOptions, verb: 'Apply' | 'Destroy'): Promise<ApplyResult> {
  const renderer = createRenderer(rendererKind(opts.json), run.plan);
  const interrupts = handleInterrupts(() => void renderer.stop());
  let result: ApplyResult;
  try {
    result = await applyPlan({
      plan: run.plan,
      desired: run.desired,
      store: {
        write: async (next) => {
          run.stateRef.current = await run.store.write(next);
          return run.stateRef.current;
        },
      },
      state: run.state,
      conns: run.conns,
      parallelism: opts.parallelism,
      perMachine: opts.perMachine,
      sink: maskedSink(renderer.sink),
      signal: interrupts.signal,
    });
  } finally {
    interrupts.dispose();
    await renderer.stop(); // the live view's last frame lands before the summary
  }
  printSummary(result, verb, opts.json === true);
  if (result.interrupted) throw new InterruptedError(`${verb.toLowerCase()} interrupted; state saved, lock released; run it again to finish`);
  if (result.failed.length > 0) throw new ApplyFailedError(`${verb.toLowerCase()} failed: ${result.failed.length} failed, ${result.skipped.length} skipped, ${result.done.length} done`);
  return result;
}

function printSummary(result: ApplyResult, verb: string, json: boolean): void {
  const write = (line: string): void => {
    (json ? process.stderr : process.stdout).write(terminalLine(maskText(line)) + '\n');
  };
  write('');
  for (const f of result.failed) write(`Failed: ${f.address}: ${f.error}`);
  const byCause = new Map<string, string[]>();
  for (const s of result.skipped) byCause.set(s.cause, [...(byCause.get(s.cause) ?? []), s.address]);
  for (const [cause, addrs] of byCause) write(`Skipped (${cause}): ${addrs.join(', ')}`);
  if (result.interrupted && result.notStarted.length > 0) write(`Not started (interrupted): ${result.notStarted.join(', ')}`);
  const status = result.interrupted ? 'interrupted' : result.failed.length > 0 ? 'failed' : 'complete';
  write(`${verb} ${status}! Resources: ${result.counts.added} added, ${result.counts.changed} changed, ${result.counts.destroyed} destroyed.`);
}
