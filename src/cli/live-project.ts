// What the day-2 verbs (ps, logs, exec, top) share: the project loaded, its engines reached over the pinned
// connections apply uses, and its containers listed live. Unreachable machines are named on stderr.
import { StateStore } from '../state/index.js';
import type { Connections } from '../apply/index.js';
import type { Desired, State } from '../model/index.js';
import { terminalLine } from '../terminal-text.js';
import { maskText } from '../masking.js';
import { loadDesired, resolveStatePath, type ConfigOptions } from './common.js';
import { connect } from './connect.js';
import { listProjectContainers, type LiveList } from './project-containers.js';

export interface LiveProject {
  desired: Desired;
  state: State;
  conns: Connections;
  list: LiveList;
}

export async function openLiveProject(opts: ConfigOptions): Promise<LiveProject> {
  const desired = await loadDesired(opts);
  const statePath = resolveStatePath(opts);
  const state = await new StateStore(statePath).read();
  const conns = connect(desired, { current: state }, statePath);
  const list = await listProjectContainers(conns, desired, state);
  for (const u of list.unreachable) {
    process.stderr.write(`Error: machine ${u.machine} did not answer: ${terminalLine(maskText(u.reason))}\n`);
  }
  if (list.unreachable.length > 0) process.exitCode = 1;
  return { desired, state, conns, list };
}
