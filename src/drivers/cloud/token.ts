// A cloud API token: from the file the block names (token_file), else from the provider's usual environment
// variable. It lives only in memory: never in the state, a plan, a label, a log or an error.
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { DriverError } from '../../errors.js';

export async function readToken(machine: string, o: { provider: string; block: string; envVar: string; tokenFile?: string }): Promise<string> {
  if (o.tokenFile !== undefined) {
    const file = o.tokenFile.startsWith('~/') ? join(homedir(), o.tokenFile.slice(2)) : o.tokenFile;
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new DriverError(machine, `${o.block}.token_file ${o.tokenFile}: ${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'not readable' : code}`);
    }
    const token = text.trim();
    if (!token) throw new DriverError(machine, `${o.block}.token_file ${o.tokenFile} is empty`);
    return token;
  }
  const token = process.env[o.envVar]?.trim();
  if (!token) throw new DriverError(machine, `no ${o.provider} API token: set ${o.envVar} or ${o.block}.token_file`);
  return token;
}
