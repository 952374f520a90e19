import { Command } from 'commander';
import { machinesSchema } from '../../config/schema-file.js';
import { builtinCatalog } from '../../drivers/catalog.js';
import { describeAllPlugins } from '../plugin-catalog.js';
import { warn } from '../common.js';

export function schemaCommand(): Command {
  return new Command('schema')
    .description('print the JSON Schema of machines.yml, with the blocks of the driver plugins on PATH (for editors)')
    .option('-f, --file <FILE>', "also the plugins in this machines.yml's drivers: map")
    .action(async (opts: { file?: string }) => {
      const catalog = builtinCatalog();
      for (const p of await describeAllPlugins(opts.file, process.env, warn)) catalog.set(p.traits.name, p.traits);
      process.stdout.write(JSON.stringify(machinesSchema(catalog), null, 2) + '\n');
    });
}
