import { randomUUID } from 'node:crypto';
import { STATE_FORMAT_VERSION, type State } from '../model/state.js';
import { MFILE_VERSION } from '../version.js';

/** The state of a project that was never applied: a new lineage, serial 0, nothing recorded. */
export function freshState(): State {
  return {
    version: STATE_FORMAT_VERSION,
    mfile_version: MFILE_VERSION,
    lineage: randomUUID(),
    serial: 0,
    machines: {},
    objects: {},
  };
}
