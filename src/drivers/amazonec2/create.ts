// Create: the machine's key pair and security group, then one instance tagged with the project and machine,
// launched with an idempotency token. A rerun after a crash between RunInstances and the state write finds that
// instance by its tags (or EC2 returns it for the same token) and adopts it: never a second instance. A create
// that fails after launching removes what it made, so a failed machine leaves nothing behind.
import { RunInstancesCommand, type EC2Client, type Tag } from '@aws-sdk/client-ec2';
import { DriverError } from '../../errors.js';
import { ensureMachineDir } from '../../remote/tls/store.js';
import type { CreateResponse, MachineRequest } from '../driver.js';
import { resolveImage } from './check.js';
import { call, ec2Client } from './client.js';
import { findTagged, waitRunning } from './instances.js';
import { ensureMachineKey } from './machine-key.js';
import { clientToken, ec2Options, resourceName, TAG_MACHINE, TAG_PROJECT, type Ec2Options } from './options.js';
import { ensureGroup, putKeyPair } from './resources.js';
import { removeMachine } from './remove.js';
import { userData } from './user-data.js';

/** What the state keeps to find the machine again (no secret). */
export interface Ec2Data {
  instanceId: string;
  region: string;
  keyName: string;
  groupId: string;
  publicIp: string;
  privateIp?: string;
}

export function tagsOf(o: Ec2Options, project: string, machine: string): Tag[] {
  const all = { ...o.tags, Name: o.tags.Name ?? `${project}-${machine}`, [TAG_PROJECT]: project, [TAG_MACHINE]: machine };
  return Object.entries(all).map(([Key, Value]) => ({ Key, Value }));
}

async function launch(c: EC2Client, req: MachineRequest, o: Ec2Options, keyName: string, groupId: string, publicKey: string, tags: Tag[]): Promise<string> {
  const name = req.machine.name;
  const image = await resolveImage(c, o, name);
  const groups = [groupId, ...o.securityGroups];
  const r = await call(name, 'RunInstances', () =>
    c.send(
      new RunInstancesCommand({
        ImageId: image.ImageId,
        InstanceType: o.instanceType as never,
        MinCount: 1,
        MaxCount: 1,
        KeyName: keyName,
        ClientToken: clientToken(req.ctx.project, name, publicKey),
        UserData: userData(publicKey),
        BlockDeviceMappings: [{ DeviceName: image.RootDeviceName ?? '/dev/xvda', Ebs: { VolumeSize: o.rootSize, VolumeType: 'gp3', DeleteOnTermination: true } }],
        ...(o.subnetId
          ? { NetworkInterfaces: [{ DeviceIndex: 0, SubnetId: o.subnetId, Groups: groups, AssociatePublicIpAddress: true }] }
          : { SecurityGroupIds: groups }),
        TagSpecifications: [
          { ResourceType: 'instance', Tags: tags },
          { ResourceType: 'volume', Tags: tags },
        ],
      }),
    ),
  );
  const id = r.Instances?.[0]?.InstanceId;
  if (!id) throw new DriverError(name, 'driver amazonec2: RunInstances returned no instance');
  return id;
}

export async function createMachine(req: MachineRequest): Promise<CreateResponse> {
  const name = req.machine.name;
  const project = req.ctx.project;
  const o = ec2Options(req.machine);
  const c = ec2Client(o);
  const log = req.ctx.log;
  const dir = await ensureMachineDir(req.ctx.stateDir, name);
  const key = await ensureMachineKey(name, dir);
  const resName = resourceName(project, name);
  const tags = tagsOf(o, project, name);

  const found = await findTagged(c, name, project);
  if (found.length > 1) {
    throw new DriverError(name, `driver amazonec2: ${found.length} instances carry this machine's tags (${found.map((i) => i.InstanceId).join(', ')}): terminate the extra ones`);
  }
  let instanceId = found[0]?.InstanceId;
  const rules = { sshSources: o.sshSources, engine: req.machine.engine.transport === 'tcp' ? { port: req.machine.engine.port, sources: o.engineSources } : undefined };
  const groupId = await ensureGroup(c, name, resName, o.subnetId, rules, tags);
  if (instanceId) {
    log?.(`${name}: adopting instance ${instanceId} (launched by an earlier create that did not finish)`);
  } else {
    await putKeyPair(c, name, resName, key.publicKey, tags);
    log?.(`${name}: launching a ${o.instanceType} instance in ${o.region}`);
    instanceId = await launch(c, req, o, resName, groupId, key.publicKey, tags);
  }
  try {
    const inst = await waitRunning(c, name, instanceId, { timeoutMs: o.waitTimeoutMs, log, signal: req.ctx.signal });
    const data: Ec2Data = { instanceId, region: o.region, keyName: resName, groupId, publicIp: inst!.PublicIpAddress!, ...(inst?.PrivateIpAddress ? { privateIp: inst.PrivateIpAddress } : {}) };
    return { driverData: { ...data } };
  } catch (err) {
    // The state records this create as tainted with nothing in it: remove what was made, so nothing is orphaned.
    log?.(`${name}: removing instance ${instanceId}, its key pair and security group after the failed create`);
    await removeMachine(req, { instanceId, keyName: resName, groupId }).catch((e: unknown) => log?.(`${name}: cleanup failed: ${(e as Error).message}`));
    throw err;
  }
}
