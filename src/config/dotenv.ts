// The project's .env beside machines.yml: values for ${NAME}, as Compose reads its project .env.
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parseEnvFile } from './env-file.js';
import type { ConfigIssue } from '../errors.js';
import { ownValue } from './interpolate.js';
import { reservedKeyMessage } from './reserved-keys.js';

/**
 * The .env's variables ({} when there is none), and an issue naming `.env:LINE:1` for each bad line. The issues
 * are added once sensitive values are known, since a ${X:?msg} message may quote one.
 */
export async function readDotenv(configFile: string, env: NodeJS.ProcessEnv): Promise<{ vars: Record<string, string>; issues: ConfigIssue[] }> {
  const file = join(dirname(configFile), '.env');
  const issues: ConfigIssue[] = [];
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { vars: {}, issues };
    issues.push({ file, line: 1, col: 1, message: code === 'EISDIR' ? 'is a directory, not a .env file' : `cannot be read (${code ?? 'error'})` });
    return { vars: {}, issues };
  }
  // Inside .env, ${NAME} reads the lines above, then the environment (as Compose does).
  const parsed = parseEnvFile(text, (name) => ownValue(env, name));
  for (const line of parsed.bad) issues.push({ file, line, col: 1, message: 'expected NAME=value (a .env holds one variable per line)' });
  for (const line of parsed.reserved) issues.push({ file, line, col: 1, message: reservedKeyMessage('a variable name') });
  for (const e of parsed.errors) issues.push({ file, line: e.line, col: 1, message: e.message });
  return { vars: parsed.vars, issues };
}
