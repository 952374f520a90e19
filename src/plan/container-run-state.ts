// A container whose config is right may still need a start or a recreate: what its observed state asks for.
import type { ContainerSpec, ObservedContainer } from '../model/index.js';

export /** What a container whose config is right needs: nothing, a start (update) or a recreate. */
function runState(c: ObservedContainer, spec: ContainerSpec): { action: 'noop' | 'update' | 'replace'; reason: string } {
  switch (c.state) {
    case 'running':
    case 'restarting':
      return { action: 'noop', reason: '' };
    case 'exited': {
      // A one-shot container (restart: no) that finished cleanly is where it should be.
      if (spec.restart === 'no' && c.exitCode === 0) return { action: 'noop', reason: '' };
      return { action: 'update', reason: `stopped outside mfile (exited${c.exitCode !== undefined ? ` ${c.exitCode}` : ''})` };
    }
    case 'created':
      return { action: 'update', reason: 'created but never started' };
    case 'paused':
      return { action: 'update', reason: 'paused outside mfile' };
    default:
      return { action: 'replace', reason: `container is ${c.state}` };
  }
}
