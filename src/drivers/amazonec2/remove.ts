// Remove: terminate the instance (the recorded one and any carrying the machine's tags), wait until it is gone,
// then delete its security group and key pair, and the machine's folder (key, certificates).
import { TerminateInstancesCommand } from '@aws-sdk/client-ec2';
import { rm } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { DriverError } from '../../errors.js';
import { machineDir } from '../../remote/tls/store.js';
import type { MachineRequest } from '../driver.js';
import { awsCode, ec2Client, ec2Failure } from './client.js';
import { findTagged, waitGone } from './instances.js';
import { ec2Options, resourceName } from './options.js';
import { deleteGroup, deleteKeyPair, findGroup } from './resources.js';

export interface Ec2Refs {
  instanceId?: string;
  keyName?: string;
  groupId?: string;
}

export async function removeMachine(req: MachineRequest, refs: Ec2Refs): Promise<void> {
  const name = req.machine.name;
  const o = ec2Options(req.machine);
  const c = ec2Client(o);
  const log = req.ctx.log;
  const tagged = (await findTagged(c, name, req.ctx.project)).map((i) => i.InstanceId!);
  const ids = [...new Set([...(refs.instanceId ? [refs.instanceId] : []), ...tagged])];
  if (ids.length) {
    log?.(`${name}: terminating ${ids.join(', ')}`);
    try {
      await c.send(new TerminateInstancesCommand({ InstanceIds: ids }));
    } catch (err) {
      // Already gone is what remove wants.
      if (awsCode(err) !== 'InvalidInstanceID.NotFound') throw ec2Failure(name, 'TerminateInstances', err);
    }
    for (const id of ids) await waitGone(c, name, id, { timeoutMs: o.waitTimeoutMs, log, signal: req.ctx.signal });
  }
  const resName = refs.keyName ?? resourceName(req.ctx.project, name);
  const groupId = refs.groupId ?? (await findGroup(c, name, resName));
  if (groupId) {
    const deadline = Date.now() + o.waitTimeoutMs;
    while ((await deleteGroup(c, name, groupId)) === 'in-use') {
      if (Date.now() > deadline) throw new DriverError(name, `driver amazonec2: security group ${groupId} is still in use after ${o.waitTimeoutMs / 1000} s`);
      await sleep(2000, undefined, { signal: req.ctx.signal });
    }
  }
  await deleteKeyPair(c, name, resName);
  await rm(machineDir(req.ctx.stateDir, name), { recursive: true, force: true });
}
