// amazonec2: an Amazon EC2 instance made with the official SDK, then reached over SSH and provisioned with
// Docker and mutual TLS as generic is. Status and the power verbs map to EC2's instance actions and wait.
import { RebootInstancesCommand, StartInstancesCommand, StopInstancesCommand } from '@aws-sdk/client-ec2';
import { DriverError } from '../../errors.js';
import type { SshAddress } from '../../model/index.js';
import { engineEndpointFor } from '../../remote/provision/provision.js';
import { sshPool } from '../../remote/ssh/pool.js';
import { machineDir } from '../../remote/tls/store.js';
import type { CreateResponse, Driver, EngineEndpoint, MachineRequest, StatusResponse } from '../driver.js';
import { engineService } from '../engine-service.js';
import { preCreateCheck } from './check.js';
import { call, ec2Client } from './client.js';
import { createMachine, type Ec2Data } from './create.js';
import { describe, waitRunning, waitStopped } from './instances.js';
import { identityFileIn } from './machine-key.js';
import { ec2Options } from './options.js';
import { removeMachine } from './remove.js';
import { amazonec2Traits } from './traits.js';

function data(req: MachineRequest): Ec2Data {
  const d = req.driverData as Partial<Ec2Data>;
  if (!d.instanceId || !d.publicIp) throw new DriverError(req.machine.name, 'the EC2 instance has not been created: run mfile apply');
  return d as Ec2Data;
}

/** After a start the instance may have a new public address: the record follows it. */
async function started(req: MachineRequest): Promise<void> {
  const name = req.machine.name;
  const o = ec2Options(req.machine);
  const d = data(req);
  const inst = await waitRunning(ec2Client(o), name, d.instanceId, { timeoutMs: o.waitTimeoutMs, log: req.ctx.log, signal: req.ctx.signal });
  if (inst?.PublicIpAddress && inst.PublicIpAddress !== d.publicIp) {
    req.ctx.log?.(`${name}: new public address ${inst.PublicIpAddress}`);
    Object.assign(req.driverData, { publicIp: inst.PublicIpAddress });
  }
}

export function amazonec2Driver(): Driver {
  const driver: Driver = {
    name: amazonec2Traits.name,
    traits: amazonec2Traits,

    async preCreateCheck(req) {
      const name = req.machine.name;
      try {
        await preCreateCheck(ec2Options(req.machine), name);
      } catch (err) {
        // The plan's refusal already names the driver ("driver amazonec2 cannot create it: ...").
        const own = `${name}: driver ${amazonec2Traits.name}: `;
        if (err instanceof DriverError && err.message.startsWith(own)) throw new DriverError(name, err.message.slice(own.length));
        throw err;
      }
    },

    create: (req): Promise<CreateResponse> => createMachine(req),

    async start(req) {
      const d = data(req);
      const o = ec2Options(req.machine);
      await call(req.machine.name, 'StartInstances', () => ec2Client(o).send(new StartInstancesCommand({ InstanceIds: [d.instanceId] })));
      await started(req);
      await sshPool().drop(req.machine.name);
      // Before the first provisioning there is no engine to start: apply does that.
      if (!req.prior?.hostKeyFingerprint) return;
      await engineService(req, { address: (await driver.address(req))!, hostKeyFingerprint: req.prior.hostKeyFingerprint }, 'start');
    },

    async stop(req) {
      await powerOff(req, false);
    },

    async kill(req) {
      await powerOff(req, true);
    },

    async restart(req) {
      const d = data(req);
      const o = ec2Options(req.machine);
      await sshPool().drop(req.machine.name);
      await call(req.machine.name, 'RebootInstances', () => ec2Client(o).send(new RebootInstancesCommand({ InstanceIds: [d.instanceId] })));
      await started(req);
      if (req.prior?.hostKeyFingerprint) await engineService(req, { address: (await driver.address(req))!, hostKeyFingerprint: req.prior.hostKeyFingerprint }, 'start');
    },

    async remove(req) {
      const d = req.driverData as Partial<Ec2Data>;
      await sshPool().drop(req.machine.name);
      await removeMachine(req, { instanceId: d.instanceId, keyName: d.keyName, groupId: d.groupId });
    },

    async status(req): Promise<StatusResponse> {
      const d = req.driverData as Partial<Ec2Data>;
      if (!d.instanceId) return { status: 'missing', detail: 'no instance recorded' };
      const inst = await describe(ec2Client(ec2Options(req.machine)), req.machine.name, d.instanceId);
      const state = inst?.State?.Name;
      switch (state) {
        case 'running':
          return { status: 'running' };
        case 'pending':
          return { status: 'unknown', detail: `instance ${d.instanceId} is pending` };
        case 'stopping':
        case 'stopped':
          return { status: 'stopped', detail: `instance ${d.instanceId} is ${state}` };
        default:
          return { status: 'missing', detail: `instance ${d.instanceId} is ${state ?? 'gone'}` };
      }
    },

    async address(req): Promise<SshAddress> {
      const d = data(req);
      const o = ec2Options(req.machine);
      return { host: d.publicIp, port: 22, user: o.sshUser, identityFile: identityFileIn(machineDir(req.ctx.stateDir, req.machine.name)), sudo: o.sshUser !== 'root' };
    },

    async engineUrl(req): Promise<EngineEndpoint> {
      return engineEndpointFor(req.machine, req.ctx.stateDir, data(req).publicIp);
    },
  };
  return driver;
}

async function powerOff(req: MachineRequest, force: boolean): Promise<void> {
  const d = data(req);
  const o = ec2Options(req.machine);
  await sshPool().drop(req.machine.name);
  await call(req.machine.name, 'StopInstances', () => ec2Client(o).send(new StopInstancesCommand({ InstanceIds: [d.instanceId], ...(force ? { Force: true } : {}) })));
  await waitStopped(ec2Client(o), req.machine.name, d.instanceId, { timeoutMs: o.waitTimeoutMs, log: req.ctx.log, signal: req.ctx.signal });
}
