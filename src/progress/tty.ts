// listr2 on stderr: one task per machine, its plan nodes as subtasks. listr2 is only the view: each subtask
// waits for the executor's events, it never runs anything itself.
import { createRequire } from 'node:module';
import type * as Listr2 from 'listr2';
import type { ListrTaskWrapper } from 'listr2';
import type { Plan, PlanNode, ProgressEvent } from '../model/index.js';
import { runOrder } from './step-order.js';
import type { Renderer } from './types.js';

type Wrapper = ListrTaskWrapper<unknown, never, never>;

interface Slot {
  node: PlanNode;
  wrapper?: Wrapper;
  last?: ProgressEvent;
  output?: string;
  settle?: (e: ProgressEvent) => void;
}

const secs = (ms?: number): string => (ms !== undefined ? ` (${(ms / 1000).toFixed(1)}s)` : '');

function apply(slot: Slot): void {
  const w = slot.wrapper;
  const e = slot.last;
  if (!w) return;
  if (slot.output) w.output = slot.output;
  if (!e) return;
  if (e.status === 'running') w.title = `${slot.node.address}: ${e.text}`;
  if (e.status === 'done' || e.status === 'failed' || e.status === 'skipped') {
    if (e.status !== 'skipped') w.title = `${slot.node.address} ${e.text}${secs(e.elapsedMs)}`;
    slot.settle?.(e);
  }
}

export function ttyRenderer(plan: Plan, out: NodeJS.WriteStream = process.stderr): Renderer {
  // Loaded here, not at import: only a TTY apply draws with listr2, and loading it costs every other command.
  const { Listr, ListrLogger, ProcessOutput } = createRequire(import.meta.url)('listr2') as typeof Listr2;
  const slots = new Map<string, Slot>();
  const byMachine = new Map<string, Slot[]>();
  for (const node of runOrder(plan.nodes)) {
    if (node.action === 'noop') continue;
    const slot: Slot = { node };
    slots.set(node.address, slot);
    byMachine.set(node.machine, [...(byMachine.get(node.machine) ?? []), slot]);
  }
  const logger = new ListrLogger({ processOutput: new ProcessOutput(out, out) });
  const list = new Listr(
    [...byMachine.entries()].map(([machine, list]) => ({
      title: `machine ${machine}`,
      task: (_: unknown, task: Wrapper) =>
        task.newListr(
          list.map((slot) => ({
            title: `${slot.node.address}: waiting`,
            task: (_ctx: unknown, w: Wrapper) =>
              new Promise<void>((resolve, reject) => {
                slot.wrapper = w;
                slot.settle = (e) => {
                  if (e.status === 'failed') reject(new Error(e.text));
                  else {
                    if (e.status === 'skipped') w.skip(`${slot.node.address} ${e.text}`);
                    resolve();
                  }
                };
                apply(slot);
              }),
          })),
          { concurrent: true, exitOnError: false },
        ),
    })),
    {
      concurrent: true,
      exitOnError: false,
      collectErrors: false,
      renderer: 'default',
      rendererOptions: { logger, collapseSubtasks: false, collapseErrors: false, showErrorMessage: false },
      // Piped stdout makes listr2 fall back to line output; keep that on our stream too.
      fallbackRenderer: 'simple',
      fallbackRendererOptions: { logger },
    } as never,
  );
  const done = list.run().catch(() => undefined);

  return {
    sink: (e) => {
      // A node's own events carry its address as id; a step below it (pull layers, build lines) names the node as
      // its parent. Addresses may hold '/' themselves (image.mfile-test/app:1[m1]), so never split the id.
      const own = slots.get(e.id);
      const under = e.parent !== undefined && e.id.startsWith(`${e.parent}/`) ? slots.get(e.parent) : undefined;
      const slot = own ?? under;
      if (!slot) return;
      if (!own) {
        slot.output = e.text;
      } else if (e.status === 'running') {
        slot.output = undefined;
        slot.last = e;
      } else if (e.status !== 'pending') slot.last = e;
      apply(slot);
    },
    stop: async () => {
      for (const slot of slots.values()) {
        if (!slot.last || !['done', 'failed', 'skipped'].includes(slot.last.status)) {
          slot.last = { id: slot.node.address, status: 'skipped', text: 'not run', time: Date.now() };
          apply(slot);
        }
      }
      await done;
    },
  };
}
