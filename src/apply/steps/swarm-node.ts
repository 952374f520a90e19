// swarm.MACHINE: init on the first manager, join through a manager, promote or demote, or drain and leave.
// Join tokens are read from the manager at the moment of joining and passed straight to the engine: never
// stored, printed or put in an error.
import type Docker from 'dockerode';
import { cidrHolding, type EngineEndpoint, type SwarmState, type SwarmStepData } from '../../model/index.js';
import { engineMessage, isNotFound } from '../../remote/docker/errors.js';
import {
  joinInfo,
  localSwarm,
  nodeHeldRole,
  nodeState,
  removeNode,
  runningTasksOnNode,
  swarmInit,
  swarmJoin,
  swarmLeave,
  updateNode,
} from '../../remote/docker/swarm-api.js';
import type { NodeOutcome, StepContext, StepHandler } from '../types.js';
import { callSignal } from './common.js';
import { pollUntil } from './swarm-poll.js';

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/** The machine's own address: its engine's TCP host, else the SSH host the state pinned. */
async function addressOf(ctx: StepContext, machine: string): Promise<string> {
  const ep: EngineEndpoint = await ctx.conns.endpoint(machine);
  const host = ep.kind === 'tcp' ? ep.host : ctx.state.machines[machine]?.ssh?.host;
  if (host && IPV4.test(host)) return host;
  throw new Error(`machine ${machine}: no IPv4 address to advertise to the swarm (its engine is reached at ${host ?? 'a local socket'})`);
}

/**
 * Overlay networks take their subnets from the swarm's default address pool; a machine whose own address is in
 * it would lose its route to the machines around it. The plan picks the pool clear of every address it knows,
 * but a cloud machine's address is known only once the machine exists: checked here, before the engine is told.
 */
function checkOutsidePool(machine: string, advertise: string, pool: readonly string[], joining: boolean): void {
  const holder = cidrHolding(advertise, pool);
  if (holder === undefined) return;
  const fix = joining
    ? `the pool of a swarm cannot change: give ${machine} an address outside it, or destroy the swarm and set swarm.default_addr_pool clear of ${advertise}`
    : `set swarm.default_addr_pool to a range clear of ${advertise}`;
  throw new Error(`machine ${machine} would advertise ${advertise} to the swarm, inside its default address pool ${holder}, which overlay networks take their subnets from: ${fix}`);
}

function withNode(machine: string, role: 'manager' | 'worker', nodeId: string | undefined, manager?: string): (s: SwarmState | undefined) => SwarmState {
  return (s) => ({
    manager: manager ?? s?.manager,
    nodes: { ...(s?.nodes ?? {}), [machine]: { role, ...(nodeId ? { nodeId } : {}) } },
    objects: s?.objects ?? {},
  });
}

async function init(ctx: StepContext, data: Extract<SwarmStepData, { op: 'init' }>): Promise<NodeOutcome> {
  const m = ctx.node.machine;
  const docker = await ctx.conns.docker(m);
  const local = await localSwarm(docker, callSignal().abortSignal);
  if (local.state !== 'active') {
    const advertise = await addressOf(ctx, m);
    checkOutsidePool(m, advertise, data.defaultAddrPool, false);
    ctx.progress(`initialising the swarm, advertising ${advertise}, address pool ${data.defaultAddrPool.join(', ')}`);
    await swarmInit(docker, { advertise, pool: data.defaultAddrPool, subnetSize: data.subnetSize }, callSignal().abortSignal);
  }
  const after = await localSwarm(docker, callSignal().abortSignal);
  return { swarm: withNode(m, 'manager', after.nodeId, m), text: local.state === 'active' ? 'already a manager' : 'swarm initialised' };
}

async function join(ctx: StepContext, data: Extract<SwarmStepData, { op: 'join' }>): Promise<NodeOutcome> {
  const m = ctx.node.machine;
  const docker = await ctx.conns.docker(m);
  const local = await localSwarm(docker, callSignal().abortSignal);
  if (local.state !== 'active') {
    // A node that left a swarm this one no longer knows keeps its old membership: leave it first.
    if (local.state !== 'inactive') await swarmLeave(docker, true, callSignal().abortSignal).catch(() => undefined);
    const mgr = await ctx.conns.docker(data.manager);
    const [advertise, remote, { tokens, defaultAddrPool }] = await Promise.all([addressOf(ctx, m), addressOf(ctx, data.manager), joinInfo(mgr, callSignal().abortSignal)]);
    checkOutsidePool(m, advertise, defaultAddrPool, true);
    ctx.progress(`joining as ${data.role} through ${data.manager} (${remote}), advertising ${advertise}`);
    const token = data.role === 'manager' ? tokens.manager : tokens.worker;
    try {
      await swarmJoin(docker, { advertise, remote: `${remote}:2377`, token }, callSignal().abortSignal);
    } catch (err) {
      // The engine's message may quote what it was given: say what failed, without it.
      throw new Error(`machine ${m} could not join the swarm through ${data.manager}: ${engineMessage(err).split(token).join('(sensitive)')}`);
    }
  }
  const after = await localSwarm(docker, callSignal().abortSignal);
  if (data.staleNodeId && data.staleNodeId !== after.nodeId) {
    const mgr = await ctx.conns.docker(data.manager);
    await removeNode(mgr, data.staleNodeId, callSignal().abortSignal).catch((err: unknown) => {
      if (!isNotFound(err)) throw err;
    });
  }
  return { swarm: withNode(m, data.role, after.nodeId), text: local.state === 'active' ? 'already in the swarm' : `joined as ${data.role}` };
}

async function role(ctx: StepContext, data: Extract<SwarmStepData, { op: 'role' }>): Promise<NodeOutcome> {
  const mgr = await ctx.conns.docker(data.manager);
  await updateNode(mgr, data.nodeId, { Role: data.role }, callSignal().abortSignal);
  await roleHeld(ctx, mgr, data.nodeId, ctx.node.machine, data.role);
  return { swarm: withNode(ctx.node.machine, data.role, data.nodeId), text: data.role === 'manager' ? 'promoted' : 'demoted' };
}

/**
 * The engine changes a role after the update returns (a raft seat is added or removed, then the node's own
 * engine follows): wait until the managers and the machine itself agree, so `docker node ls` and a leave that
 * follows see the new role.
 */
async function roleHeld(ctx: StepContext, mgr: Docker, nodeId: string, machine: string, want: 'manager' | 'worker'): Promise<void> {
  const own = await ctx.conns.docker(machine);
  await pollUntil(ctx, 60_000, async () => {
    const held = await nodeHeldRole(mgr, nodeId, callSignal().abortSignal);
    const local = await localSwarm(own, callSignal().abortSignal);
    ctx.progress(`${want === 'manager' ? 'promoting' : 'demoting'}: the managers see it as ${held}`);
    return held === want && local.isManager === (want === 'manager');
  }, `machine ${machine} did not become a ${want}`);
}

async function leave(ctx: StepContext, data: Extract<SwarmStepData, { op: 'leave' }>): Promise<NodeOutcome> {
  const m = ctx.node.machine;
  const forget = (s: SwarmState | undefined): SwarmState | undefined => {
    if (data.last) return undefined;
    if (!s) return s;
    const nodes = { ...s.nodes };
    delete nodes[m];
    return { ...s, nodes };
  };
  if (data.manager && data.nodeId) {
    const mgr = await ctx.conns.docker(data.manager);
    const id = data.nodeId;
    try {
      ctx.progress('draining: its tasks move to other nodes');
      await updateNode(mgr, id, { Availability: 'drain' }, callSignal().abortSignal);
      await pollUntil(ctx, 120_000, async () => {
        const n = await runningTasksOnNode(mgr, id, callSignal().abortSignal);
        ctx.progress(`draining: ${n} task${n === 1 ? '' : 's'} left`);
        return n === 0;
      }, `machine ${m} did not drain`);
      if (data.wasManager) {
        await updateNode(mgr, id, { Role: 'worker' }, callSignal().abortSignal);
        // A machine that does not answer cannot follow; its node is removed by force below.
        if (data.machineReachable) await roleHeld(ctx, mgr, id, m, 'worker');
      }
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    if (data.machineReachable) await leaveOn(ctx, m, false);
    try {
      // The manager sees the node go down a moment after it left; force removes a node that is gone for good.
      await pollUntil(ctx, 30_000, async () => (await nodeState(mgr, id, callSignal().abortSignal)) !== 'ready', `node of ${m} still ready after leaving`).catch(() => undefined);
      await removeNode(mgr, id, callSignal().abortSignal);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    return { swarm: forget, text: 'drained, left and removed' };
  }
  if (data.machineReachable) await leaveOn(ctx, m, true);
  return { swarm: forget, text: data.last ? 'left: the swarm is gone' : 'left' };
}

async function leaveOn(ctx: StepContext, m: string, force: boolean): Promise<void> {
  const docker = await ctx.conns.docker(m);
  const local = await localSwarm(docker, callSignal().abortSignal);
  if (local.state === 'inactive') return;
  await swarmLeave(docker, force, callSignal().abortSignal);
}

export const swarmNodeStep: StepHandler = {
  async run(ctx) {
    const data = ctx.node.swarm;
    if (!data) throw new Error(`${ctx.node.address}: the plan gives no swarm step data for it; make a new plan`);
    switch (data.op) {
      case 'init':
        return init(ctx, data);
      case 'join':
        return join(ctx, data);
      case 'role':
        return role(ctx, data);
      case 'leave':
        if (!data.machineRemoved) return leave(ctx, data);
        // Its machine goes in this apply: a swarm that will not let go must not keep the host alive.
        return leave(ctx, data).catch((err: unknown) => ({
          swarm: (s: SwarmState | undefined) => (data.last ? undefined : s && { ...s, nodes: Object.fromEntries(Object.entries(s.nodes).filter(([k]) => k !== ctx.node.machine)) }),
          text: `did not leave cleanly (${engineMessage(err).split('\n')[0]}); its machine is removed anyway`,
        }));
      default:
        throw new Error(`${ctx.node.address}: not a swarm membership step (${data.op})`);
    }
  },
};
