// Docker Machine's state.State, an int on the wire, by the names Docker Machine prints.
export type DockerMachineState = '' | 'Running' | 'Paused' | 'Saved' | 'Stopped' | 'Stopping' | 'Starting' | 'Error' | 'Timeout';

const NAMES: readonly DockerMachineState[] = ['', 'Running', 'Paused', 'Saved', 'Stopped', 'Stopping', 'Starting', 'Error', 'Timeout'];

/** Numbers Docker Machine does not define read as '' (its None), as its own String() does. */
export function stateName(n: number): DockerMachineState {
  return NAMES[n] ?? '';
}
