// mfile top [NAME...]: the processes of each container, under a name[machine] header.
import { Command } from 'commander';
import { DriverError } from '../../errors.js';
import { addConfigOptions, out, type ConfigOptions } from '../common.js';
import { reportError } from '../errors-to-exit.js';
import { openLiveProject } from '../live-project.js';
import { labelOf, parseSelector, select, type LiveContainer } from '../project-containers.js';

interface Top {
  Titles: string[];
  Processes: string[][];
}

function table(top: Top): string[] {
  const rows = [top.Titles, ...top.Processes];
  const widths = top.Titles.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((v, i) => (i === r.length - 1 ? v : (v ?? '').padEnd(widths[i]))).join('   ').trimEnd());
}

export function topCommand(): Command {
  return addConfigOptions(new Command('top'))
    .description('the processes running in each container, grouped by name[machine]')
    .argument('[NAME...]', 'containers: NAME or NAME[MACHINE] (default: all)')
    .action(async (names: string[], opts: ConfigOptions) => {
      const selectors = names.map(parseSelector);
      const { list, conns } = await openLiveProject(opts);
      try {
        const chosen = select(list.containers, selectors);
        // Asked in parallel, shown in the list's order. A stopped container has no processes: said so, not an error.
        const tops = await Promise.allSettled(chosen.map((c: LiveContainer) => (c.info.State === 'running' ? (c.docker.getContainer(c.id).top() as Promise<Top>) : Promise.resolve(undefined))));
        chosen.forEach((c, i) => {
          const r = tops[i];
          if (r.status === 'rejected') {
            process.exitCode = reportError(new DriverError(c.machine, `top of ${labelOf(c)}: ${(r.reason as Error)?.message ?? String(r.reason)}`));
            return;
          }
          if (i > 0) out('');
          out(labelOf(c));
          if (!r.value) out(`(${c.info.State}: no processes)`);
          else for (const line of table(r.value)) out(line);
        });
      } finally {
        await conns.closeAll();
      }
    });
}
