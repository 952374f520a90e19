// The labels mfile stamps on every object it makes; objects are found by them, so a lost state is recoverable.

export const LABEL_PROJECT = 'io.mfile.project';
export const LABEL_MACHINE = 'io.mfile.machine';
export const LABEL_NAME = 'io.mfile.name';
export const LABEL_CONFIG_HASH = 'io.mfile.config-hash';

/** The labels mfile stamps on an object it makes. */
export function mfileLabels(project: string, machine: string, name: string, configHash: string): Record<string, string> {
  return { [LABEL_PROJECT]: project, [LABEL_MACHINE]: machine, [LABEL_NAME]: name, [LABEL_CONFIG_HASH]: configHash };
}
