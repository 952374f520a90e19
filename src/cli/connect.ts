// Builds the run's connections: engines per machine, with the SSH transport and its pool wired in.
import path from 'node:path';
import { createConnections, type Connections } from '../apply/index.js';
import { sshTransport } from '../remote/ssh/ssh-helpers.js';
import { closeSshPool } from '../remote/ssh/pool.js';
import type { Desired, State } from '../model/index.js';

/** The latest state of this run, so transports opened mid-run see machines created earlier in it. */
export interface StateRef {
  current: State;
}

export function connect(desired: Desired, ref: StateRef, statePath: string): Connections {
  return createConnections(desired, () => ref.current, {
    stateDir: path.dirname(statePath),
    sshAgent: sshTransport(() => ref.current),
    onClose: closeSshPool,
  });
}
