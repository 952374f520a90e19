import { resolve } from 'node:path';
import { Command } from 'commander';
import { checkPlugin } from '../../drivers/plugin/conformance.js';
import { out } from '../common.js';

export function driverCommand(): Command {
  const driver = new Command('driver').description('driver plugins (docs/driver-protocol.md)');
  driver.addCommand(
    new Command('test')
      .description('check that a driver plugin keeps the protocol; prints a checklist, exits 1 on any failure')
      .argument('<PATH>', 'the plugin executable (mfile-driver-NAME)')
      .action(async (path: string) => {
        const checks = await checkPlugin(resolve(path));
        for (const c of checks) out(`${c.ok ? 'ok  ' : 'FAIL'} ${c.name}${c.detail ? `: ${c.detail}` : ''}`);
        const failed = checks.filter((c) => !c.ok).length;
        out(failed ? `${failed} of ${checks.length} checks failed.` : `All ${checks.length} checks passed.`);
        if (failed) process.exitCode = 1;
      }),
  );
  return driver;
}
