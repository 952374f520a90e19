import { Command } from 'commander';
import { addConfigOptions, loadDesired, out, type ConfigOptions } from '../common.js';
import { printConfigErrorsJson } from '../config-errors-json.js';

interface ValidateOptions extends ConfigOptions {
  json?: boolean;
}

export function validateCommand(): Command {
  return addConfigOptions(new Command('validate'))
    .description('check machines.yml: syntax, schema and cross-field rules')
    .option('--json', 'print the result as JSON')
    .action(async (opts: ValidateOptions) => {
      try {
        // Only checked: the slow digests of sensitive values go into hashes that validate never makes.
        const desired = await loadDesired(opts, { checkOnly: true });
        const counts = {
          machines: Object.keys(desired.machines).length,
          containers: Object.keys(desired.containers).length,
        };
        if (opts.json) out(JSON.stringify({ valid: true, errors: [], ...counts }));
        else out(`${opts.file}: valid (${counts.machines} machines, ${counts.containers} containers)`);
      } catch (err) {
        if (opts.json && printConfigErrorsJson(err)) return;
        throw err;
      }
    });
}
