// `driver: docker-machine:NAME` names a Docker Machine driver binary: docker-machine-driver-NAME on PATH. Its
// flags go in the machine's `docker-machine:` block, by the names the driver gives them.

export const DOCKER_MACHINE_DRIVER_PREFIX = 'docker-machine:';
/** The machine key of every Docker Machine driver's flags: they are already prefixed by the driver's name. */
export const DOCKER_MACHINE_BLOCK = 'docker-machine';
/** The executables Docker Machine runs as driver plugins are named this, then the driver's name. */
export const DOCKER_MACHINE_BINARY_PREFIX = 'docker-machine-driver-';

const NAME = /^docker-machine:([a-z0-9][a-z0-9_.-]*)$/;

/** NAME of `docker-machine:NAME`, or undefined for any other driver. */
export function dockerMachineDriverName(driver: string): string | undefined {
  return NAME.exec(driver)?.[1];
}

export function dockerMachineBinaryName(name: string): string {
  return DOCKER_MACHINE_BINARY_PREFIX + name;
}
