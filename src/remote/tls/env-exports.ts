// `mfile env NAME`: shell lines that point the docker CLI at a machine's TLS endpoint.
import { resolve } from 'node:path';
import { UsageError } from '../../errors.js';
import type { MachineRecord } from '../../model/index.js';
import { quoteArg } from '../ssh/shell-quote.js';

export type EnvShell = 'bash' | 'zsh' | 'fish';

export function envVars(record: MachineRecord, certDir: string): Record<string, string> {
  const url = record.engineUrl ?? '';
  if (!url.startsWith('tcp://')) {
    throw new UsageError(
      `machine ${record.name} has no TCP engine endpoint (${url || 'not provisioned'}); ` +
        (url.startsWith('ssh://') ? `use DOCKER_HOST=ssh://${record.ssh?.user}@${record.ssh?.host}` : 'run mfile apply first'),
    );
  }
  return { DOCKER_HOST: url, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: resolve(certDir) };
}

export function envExports(record: MachineRecord, shell: EnvShell, certDir: string): string {
  const vars = envVars(record, certDir);
  const lines = Object.entries(vars).map(([k, v]) =>
    shell === 'fish' ? `set -gx ${k} ${quoteArg(v)};` : `export ${k}=${quoteArg(v)}`,
  );
  lines.push(`# Run this command to configure your shell:`);
  lines.push(shell === 'fish' ? `# eval (mfile env ${record.name})` : `# eval "$(mfile env ${record.name})"`);
  return lines.join('\n') + '\n';
}
