// Leftovers of an interrupted run that a plan made from the state could not see: a container create that reached
// the engine as it died (the answer lost, so no state holds its id). They carry the object's labels.
import type Docker from 'dockerode';
import { LABEL_MACHINE, LABEL_NAME, LABEL_PROJECT } from '../../model/labels.js';
import { engineMessage } from '../../remote/docker/errors.js';
import type { StepContext } from '../types.js';
import { callSignal } from './common.js';
import { removeContainer, stopSeconds } from './container-ops.js';

/** Removes every container with the node's labels but `keepId`; a failure leaves it to the next plan, as a duplicate. */
export async function removeLeftovers(ctx: StepContext, docker: Docker, keepId: string): Promise<void> {
  const { node, desired } = ctx;
  const label = [`${LABEL_PROJECT}=${desired.project}`, `${LABEL_MACHINE}=${node.machine}`, `${LABEL_NAME}=${node.name}`];
  const found = await docker.listContainers({ all: true, filters: { label }, ...callSignal() });
  for (const c of found.filter((x) => x.Id !== keepId)) {
    const name = (c.Names[0] ?? c.Id).replace(/^\//, '');
    ctx.progress(`removing ${name}, left by an interrupted run`);
    await removeContainer(docker, c.Id, stopSeconds(desired.containers[node.name])).catch((err: unknown) =>
      ctx.progress(`${name} was not removed (${engineMessage(err)}); the next apply removes it`),
    );
  }
}
