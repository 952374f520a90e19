import { Command } from 'commander';
import { assembleSchema } from '../schema-assemble.js';
import { describeAllPlugins } from '../plugin-catalog.js';
import { warn } from '../common.js';

export function schemaCommand(): Command {
  return new Command('schema')
    .description("print the JSON Schema of machines.yml, with the blocks of the driver plugins on PATH (for editors)")
    .option('-f, --file <FILE>', "also the plugins in this machines.yml's drivers: map")
    .action(async (opts: { file?: string }) => {
      const plugins = await describeAllPlugins(opts.file, process.env, warn);
      process.stdout.write(JSON.stringify(assembleSchema(plugins.map((p) => p.traits)), null, 2) + '\n');
    });
}
