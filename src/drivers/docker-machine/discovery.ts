// Docker Machine driver binaries: found on PATH by name (docker-machine-driver-NAME), and asked once per run for
// their create flags, which become the traits config checks the machine's block against. Launching one and
// asking takes tens of milliseconds (less than hashing a 30 MB binary would), so nothing is cached.
import { DOCKER_MACHINE_BINARY_PREFIX, dockerMachineBinaryName } from '../../model/docker-machine-names.js';
import type { DriverTraits } from '../../model/driver-traits.js';
import { executableOnPath, pluginsOnPath } from '../plugin/discovery.js';
import { DockerMachinePlugin } from './plugin-client.js';
import { callTimeoutMs } from './timeouts.js';
import { dockerMachineTraits } from './traits.js';

export interface DockerMachineDescribed {
  traits: DriverTraits;
  /** The binary, as found on PATH. */
  path: string;
}

export function dockerMachineOnPath(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  return executableOnPath(dockerMachineBinaryName(name), env);
}

/** Every docker-machine-driver-NAME on PATH, by NAME. */
export function dockerMachinesOnPath(env: NodeJS.ProcessEnv = process.env): Map<string, string> {
  return pluginsOnPath(env, DOCKER_MACHINE_BINARY_PREFIX);
}

/** Starts the binary, asks GetCreateFlags, closes it. Throws DriverError naming `machine` (the first that uses it). */
export async function describeDockerMachine(path: string, name: string, machine: string, env: NodeJS.ProcessEnv = process.env): Promise<DockerMachineDescribed> {
  const p = await DockerMachinePlugin.start({
    machine,
    command: path,
    label: dockerMachineBinaryName(name),
    driverName: name,
    env,
    callTimeoutMs: (method) => callTimeoutMs(method, env),
  });
  try {
    return { traits: dockerMachineTraits(name, await p.getCreateFlags()), path };
  } finally {
    await p.close();
  }
}
