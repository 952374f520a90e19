// The `generic:` block: an existing server reached over SSH.
import { DriverError } from '../../errors.js';
import type { MachineSpec, SshAddress } from '../../model/index.js';

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** The schema refuses these too; a spec rebuilt from a state file did not pass through it. */
function notAnOption(name: string, what: string, v: string): string {
  if (v.startsWith('-')) throw new DriverError(name, `${what} must not start with '-' (ssh would read it as an option)`);
  return v;
}

function address(name: string, o: Record<string, unknown>, what: string): SshAddress {
  const host = str(o.host);
  if (!host) throw new DriverError(name, `${what}.host is required`);
  notAnOption(name, `${what}.host`, host);
  const user = notAnOption(name, `${what}.user`, str(o.user) ?? 'root');
  const port = o.port === undefined ? 22 : Number(o.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new DriverError(name, `${what}.port must be 1-65535`);
  const identityFile = str(o.identity_file);
  return {
    host,
    port,
    user,
    identityFile,
    useAgent: o.use_agent === true || !identityFile,
    sudo: typeof o.sudo === 'boolean' ? o.sudo : user !== 'root',
  };
}

export function genericAddress(m: MachineSpec): SshAddress {
  const o = m.driverOptions ?? {};
  const a = address(m.name, o, 'generic');
  const jump = o.jump as Record<string, unknown> | undefined;
  if (jump && typeof jump === 'object') a.jump = address(m.name, jump, 'generic.jump');
  return a;
}
