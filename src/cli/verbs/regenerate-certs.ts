// `mfile regenerate-certs NAME`: rotate a machine's server certificate and install it (one daemon restart).
import { Command } from 'commander';
import path from 'node:path';
import { UsageError } from '../../errors.js';
import { renderPlanText } from '../../plan/index.js';
import { summarise } from '../../plan/summary.js';
import { regenerateServerCert, serverSans } from '../../remote/tls/store.js';
import type { Plan } from '../../model/index.js';
import { out, outRendered } from '../common.js';
import { confirmOrRefuse } from '../confirm.js';
import { execute } from '../execute.js';
import { addPipelineOptions } from '../pipeline-options.js';
import { closeRun, prepareRun, type PipelineOptions } from '../pipeline.js';

interface RegenerateOptions extends PipelineOptions {
  autoApprove?: boolean;
}

/** The plan for machine.NAME alone, as an update whose reason says why. */
function rotationPlan(plan: Plan, name: string): Plan {
  const address = `machine.${name}`;
  const node = plan.nodes.find((n) => n.address === address);
  if (!node || node.action === 'delete') throw new UsageError(`machine ${name} is not in machines.yml`);
  if (node.action === 'create' || node.action === 'replace') throw new UsageError(`machine ${name} is not created yet: run mfile apply`);
  const nodes = [{ ...node, action: 'update' as const, dependsOn: [], reasons: [...node.reasons, 'server certificate rotated (regenerate-certs) - daemon restart'] }];
  return { ...plan, nodes, summary: summarise(nodes) };
}

export function regenerateCertsCommand(): Command {
  return addPipelineOptions(new Command('regenerate-certs'))
    .description("rotate a machine's Docker server certificate and restart its daemon with it")
    .argument('<NAME>', 'machine name')
    .option('-y, --auto-approve', 'do it without asking for confirmation')
    .action(async (name: string, opts: RegenerateOptions) => {
      const run = await prepareRun({ ...opts, target: [`machine.${name}`] }, 'regenerate-certs', false);
      try {
        const plan = rotationPlan(run.plan, name);
        const record = run.state.machines[name];
        const spec = run.desired.machines[name];
        if (!record?.ssh || !spec || spec.engine.transport !== 'tcp' || !spec.tls.enabled) {
          throw new UsageError(`machine ${name} has no TLS engine endpoint to rotate (driver ${spec?.driver ?? record?.driver})`);
        }
        outRendered(renderPlanText(plan));
        if (!(await confirmOrRefuse('Rotate the server certificate and restart the daemon?', opts.autoApprove === true))) {
          out('Cancelled.');
          process.exitCode = 1;
          return;
        }
        await regenerateServerCert(path.dirname(run.store.path), name, serverSans(name, [record.ssh.host], spec.tls.san));
        await execute({ ...run, plan }, { parallelism: 1, perMachine: 1 }, 'Apply');
      } finally {
        await closeRun(run);
      }
    });
}
