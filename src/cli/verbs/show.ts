import { Command } from 'commander';
import { StateStore } from '../../state/index.js';
import path from 'node:path';
import { planToJson, renderPlanText } from '../../plan/index.js';
import { readPlanFile } from '../../state/plan-file.js';
import { addConfigOptions, out, outRendered, resolveStatePath, type ConfigOptions } from '../common.js';

interface ShowOptions extends ConfigOptions {
  json?: boolean;
}

export function showCommand(): Command {
  return addConfigOptions(new Command('show'))
    .description('show what the state file records, or a plan saved by `mfile plan --out`')
    .argument('[PLANFILE]', 'a saved plan: shown as plan text (or JSON), without reading the state or the machines')
    .option('--json', 'print the state (or the plan) as JSON')
    .action(async (planFile: string | undefined, opts: ShowOptions) => {
      if (planFile !== undefined) return showPlanFile(planFile, opts.json === true);
      const state = await new StateStore(resolveStatePath(opts)).read();
      if (opts.json) {
        out(JSON.stringify(state, null, 2));
        return;
      }
      out(`# state serial ${state.serial}, lineage ${state.lineage}`);
      const machines = Object.values(state.machines).sort((a, b) => a.name.localeCompare(b.name));
      for (const m of machines) {
        out(`machine.${m.name}  driver=${m.driver} status=${m.status}${m.engineUrl ? ` engine=${m.engineUrl}` : ''}${m.dockerVersion ? ` docker=${m.dockerVersion}` : ''}`);
      }
      const objects = Object.values(state.objects).sort((a, b) => a.address.localeCompare(b.address));
      for (const o of objects) out(`${o.address}  status=${o.status}${o.id ? ` id=${o.id.slice(0, 12)}` : ''}`);
      if (machines.length + objects.length === 0) out('The state is empty: nothing has been applied yet.');
    });
}

function showPlanFile(file: string, json: boolean): void {
  const { digest: _digest, ...plan } = readPlanFile(path.resolve(file));
  if (json) out(JSON.stringify(planToJson(plan), null, 2));
  else outRendered(renderPlanText(plan, { color: process.stdout.isTTY === true && !process.env.NO_COLOR }));
}
