// swarm-network.NAME, swarm-secret.NAME, swarm-config.NAME: created on a manager under the name the plan chose
// (secrets and configs carry a digest of their content, so a changed file is a new object); removed once unused.
import { readFile } from 'node:fs/promises';
import type { SwarmState, SwarmStepData } from '../../model/index.js';
import { LABEL_DIGEST } from '../../model/swarm.js';
import { LABEL_NAME, LABEL_PROJECT } from '../../model/labels.js';
import { isConflict, isNotFound, statusOf } from '../../remote/docker/errors.js';
import { createSwarmObject, removeSwarmObject } from '../../remote/docker/swarm-api.js';
import type { NodeOutcome, StepContext, StepHandler } from '../types.js';
import { callSignal } from './common.js';
import { pollUntil } from './swarm-poll.js';

type ObjectData = Extract<SwarmStepData, { op: 'object' }>;

async function fileData(ctx: StepContext, data: ObjectData): Promise<string> {
  const file = data.objectKind === 'secret' ? ctx.desired.secrets[ctx.node.name]?.file : ctx.desired.swarm?.configs[ctx.node.name]?.file;
  if (!file) throw new Error(`${ctx.node.address}: not in machines.yml (nothing to create it from)`);
  try {
    return (await readFile(file)).toString('base64');
  } catch (err) {
    throw new Error(`${ctx.node.address}: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

async function create(ctx: StepContext, data: ObjectData): Promise<NodeOutcome> {
  const { desired, node } = ctx;
  const docker = await ctx.conns.docker(node.machine);
  const labels = { [LABEL_PROJECT]: desired.project, [LABEL_NAME]: node.name, ...(data.digest ? { [LABEL_DIGEST]: data.digest.slice(0, 12) } : {}) };
  const net = data.objectKind === 'network' ? desired.networks[node.name] : undefined;
  const spec =
    data.objectKind === 'network'
      ? { Name: data.engineName, Driver: 'overlay', CheckDuplicate: true, Attachable: net?.attachable ?? false, Internal: net?.internal ?? false, Options: net?.driverOpts ?? {}, Labels: { ...(net?.labels ?? {}), ...labels } }
      : { Name: data.engineName, Labels: labels, Data: await fileData(ctx, data) };
  let id: string;
  try {
    id = await createSwarmObject(docker, data.objectKind, spec, callSignal().abortSignal);
  } catch (err) {
    // Left by an interrupted run under the same (content-derived) name: the same object.
    if (!isConflict(err)) throw err;
    id = data.engineName;
  }
  const address = node.address;
  return {
    swarm: (s: SwarmState | undefined) => ({
      manager: s?.manager ?? node.machine,
      nodes: s?.nodes ?? {},
      objects: { ...(s?.objects ?? {}), [address]: { kind: data.objectKind, name: node.name, engineName: data.engineName, id, attributes: node.after ?? {} } },
    }),
  };
}

async function remove(ctx: StepContext, data: ObjectData): Promise<NodeOutcome> {
  const docker = await ctx.conns.docker(ctx.node.machine);
  const target = data.id ?? data.engineName;
  // Tasks of a removed or updated service release it a moment after the service step ends.
  await pollUntil(ctx, 60_000, async () => {
    try {
      await removeSwarmObject(docker, data.objectKind, target, callSignal().abortSignal);
      return true;
    } catch (err) {
      if (isNotFound(err)) return true;
      if (isConflict(err) || statusOf(err) === 403 || statusOf(err) === 400) {
        ctx.progress(`${data.engineName} is still in use; waiting`);
        return false;
      }
      throw err;
    }
  }, `${data.objectKind} ${data.engineName} stayed in use`);
  const address = ctx.node.address;
  return {
    swarm: (s) => {
      if (!s) return s;
      const objects = { ...s.objects };
      // A rotated-out version is not the record at the plain address.
      if (objects[address.replace(/#.*$/, '')]?.engineName === data.engineName) delete objects[address.replace(/#.*$/, '')];
      delete objects[address];
      return { ...s, objects };
    },
  };
}

export const swarmObjectStep: StepHandler = {
  run(ctx) {
    const data = ctx.node.swarm;
    if (data?.op !== 'object') throw new Error(`${ctx.node.address}: the plan gives no swarm object step data; make a new plan`);
    return ctx.node.action === 'delete' ? remove(ctx, data) : create(ctx, data);
  },
};
