// engine.install auto: install Docker with the system's packages (or engine.installScript), refusing by name
// the systems mfile does not know.
import { DriverError } from '../../errors.js';
import type { MachineSpec } from '../../model/index.js';
import type { SshSession } from '../ssh/session.js';
import {
  amazonInstallCommands,
  aptInstallCommands,
  fedoraInstallCommands,
  installScriptCommands,
  rhelInstallCommands,
  type Argv,
} from './commands.js';
import type { HostFacts } from './facts.js';
import { installMethod } from './os-release.js';

export function installCommands(machine: MachineSpec, facts: HostFacts): Argv[] {
  const method = installMethod(facts.os, Boolean(machine.engine.installScript));
  const tool = facts.packageTools.includes('dnf') ? 'dnf' : 'yum';
  switch (method) {
    case 'script':
      return installScriptCommands(machine.engine.installScript!);
    case 'apt':
      return aptInstallCommands();
    case 'fedora':
      return fedoraInstallCommands(tool);
    case 'amazon':
      return amazonInstallCommands();
    case 'rhel':
      return rhelInstallCommands(tool);
    case null:
      throw new DriverError(
        machine.name,
        `cannot install Docker on ${facts.os.prettyName} (id "${facts.os.id || 'unknown'}"): mfile installs it on ` +
          'Debian/Ubuntu (apt), Fedora and RHEL-likes (dnf/yum); set engine.installScript, or install Docker ' +
          'yourself and set engine.install: never',
      );
  }
}

export async function installDocker(
  session: SshSession,
  machine: MachineSpec,
  facts: HostFacts,
  log?: (line: string) => void,
): Promise<string> {
  if (machine.engine.install === 'never') {
    throw new DriverError(machine.name, 'Docker is not installed and engine.install is never: install it first');
  }
  const cmds = installCommands(machine, facts);
  log?.(`${machine.name}: installing Docker on ${facts.os.prettyName}`);
  for (const argv of cmds) await session.exec(argv);
  const r = await session.exec(['sh', '-c', 'command -v dockerd'], { check: false });
  const path = r.stdout.trim();
  if (!path) throw new DriverError(machine.name, 'Docker was installed but dockerd is not on the PATH');
  return path;
}
