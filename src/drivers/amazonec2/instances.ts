// Finding the machine's instance (by id, or by its mfile tags after a crash) and waiting for it to reach a state,
// with the provider's state as progress.
import { DescribeInstancesCommand, type EC2Client, type Instance } from '@aws-sdk/client-ec2';
import { setTimeout as sleep } from 'node:timers/promises';
import { DriverError } from '../../errors.js';
import { awsCode, call, ec2Failure } from './client.js';
import { TAG_MACHINE, TAG_PROJECT } from './options.js';

/** States of an instance that still exists (may be started, stopped or terminated). */
export const LIVE_STATES = ['pending', 'running', 'stopping', 'stopped'];

/** Between polls of DescribeInstances; MFILE_EC2_POLL_MS shortens it for tests against a local endpoint. */
function pollMs(): number {
  const v = Number(process.env.MFILE_EC2_POLL_MS);
  return v > 0 ? v : 5000;
}

/** The live instances tagged with this project and machine (a create that crashed before its state write). */
export async function findTagged(c: EC2Client, machine: string, project: string): Promise<Instance[]> {
  const r = await call(machine, 'DescribeInstances', () =>
    c.send(
      new DescribeInstancesCommand({
        Filters: [
          { Name: `tag:${TAG_PROJECT}`, Values: [project] },
          { Name: `tag:${TAG_MACHINE}`, Values: [machine] },
          { Name: 'instance-state-name', Values: LIVE_STATES },
        ],
      }),
    ),
  );
  return (r.Reservations ?? []).flatMap((x) => x.Instances ?? []);
}

/** The instance, or undefined when EC2 no longer knows it. */
export async function describe(c: EC2Client, machine: string, id: string): Promise<Instance | undefined> {
  try {
    const r = await c.send(new DescribeInstancesCommand({ InstanceIds: [id] }));
    return r.Reservations?.[0]?.Instances?.[0];
  } catch (err) {
    if (awsCode(err) === 'InvalidInstanceID.NotFound') return undefined;
    throw ec2Failure(machine, 'DescribeInstances', err);
  }
}

export interface WaitFor {
  /** Done when this holds; undefined instance = gone. */
  done: (i: Instance | undefined) => boolean;
  /** Fails at once when this holds (an instance that terminated while we waited for it to run). */
  failed?: (i: Instance | undefined) => string | undefined;
  what: string;
  timeoutMs: number;
  log?: (line: string) => void;
  signal?: AbortSignal;
}

export async function waitFor(c: EC2Client, machine: string, id: string, w: WaitFor): Promise<Instance | undefined> {
  const deadline = Date.now() + w.timeoutMs;
  let last = '';
  for (;;) {
    const i = await describe(c, machine, id);
    const state = i?.State?.Name ?? 'gone';
    if (state !== last) w.log?.(`${machine}: instance ${id} ${state}`);
    last = state;
    if (w.done(i)) return i;
    const why = w.failed?.(i);
    if (why) throw new DriverError(machine, `driver amazonec2: instance ${id} ${why}`);
    if (Date.now() > deadline) {
      throw new DriverError(machine, `driver amazonec2: instance ${id} is not ${w.what} after ${Math.round(w.timeoutMs / 1000)} s (state: ${state}; amazonec2.wait_timeout)`);
    }
    w.signal?.throwIfAborted();
    await sleep(pollMs(), undefined, { signal: w.signal });
  }
}

export function waitRunning(c: EC2Client, machine: string, id: string, w: Omit<WaitFor, 'done' | 'what' | 'failed'>): Promise<Instance | undefined> {
  return waitFor(c, machine, id, {
    ...w,
    what: 'running with a public address',
    done: (i) => i?.State?.Name === 'running' && !!i.PublicIpAddress,
    failed: (i) => {
      const s = i?.State?.Name;
      if (!i || s === 'terminated' || s === 'shutting-down') return `was ${s ?? 'removed'} while starting${i?.StateReason?.Message ? `: ${i.StateReason.Message}` : ''}`;
      return undefined;
    },
  });
}

export function waitGone(c: EC2Client, machine: string, id: string, w: Omit<WaitFor, 'done' | 'what'>): Promise<Instance | undefined> {
  return waitFor(c, machine, id, { ...w, what: 'terminated', done: (i) => !i || i.State?.Name === 'terminated' });
}

export function waitStopped(c: EC2Client, machine: string, id: string, w: Omit<WaitFor, 'done' | 'what'>): Promise<Instance | undefined> {
  return waitFor(c, machine, id, { ...w, what: 'stopped', done: (i) => i?.State?.Name === 'stopped' });
}
