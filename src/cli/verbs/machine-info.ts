// mfile inspect | ip | url | status NAME: what mfile knows about one machine, and its state as docker-machine
// prints it (Running, Stopped, Error).
import { Command } from 'commander';
import path from 'node:path';
import { DriverError } from '../../errors.js';
import type { Desired, State } from '../../model/index.js';
import { engineAttributes, prune } from '../../plan/attributes.js';
import { sensitiveMasker } from '../../masking.js';
import { enginePing, endpointUrl } from '../../remote/docker/client.js';
import { engineMessage } from '../../remote/docker/errors.js';
import { serverCertPaths } from '../../remote/tls/store.js';
import { StateStore } from '../../state/index.js';
import { addConfigOptions, loadDesired, out, resolveStatePath, type ConfigOptions } from '../common.js';
import { connect } from '../connect.js';
import { machineTarget, type MachineTarget } from '../machine-target.js';

interface Loaded {
  desired: Desired;
  state: State;
  statePath: string;
  target: MachineTarget;
}

async function load(name: string, opts: ConfigOptions): Promise<Loaded> {
  const desired = await loadDesired(opts);
  const statePath = resolveStatePath(opts);
  const state = await new StateStore(statePath).read();
  return { desired, state, statePath, target: machineTarget(desired, state, statePath, name) };
}

export interface MachineState {
  state: 'Running' | 'Stopped' | 'Error';
  reason?: string;
}

/** The driver's answer, then (for a provisioned host) whether its engine answers; a held machine is Stopped. */
async function machineState(l: Loaded): Promise<MachineState> {
  const t = l.target;
  if (t.driver.traits.provisioned && t.record?.status !== 'created') {
    return { state: 'Error', reason: t.record ? `its last create did not finish (${t.record.status})` : 'not created yet' };
  }
  const st = await t.driver.status(t.request).catch((e: unknown) => ({ status: 'error' as const, detail: engineMessage(e) }));
  if (st.status === 'stopped') return { state: 'Stopped' };
  if (st.status !== 'running') return { state: 'Error', reason: st.detail ?? st.status };
  if (!t.driver.traits.provisioned) return { state: 'Running' };
  const conns = connect(l.desired, { current: l.state }, l.statePath);
  try {
    await enginePing(await conns.docker(t.name), AbortSignal.timeout(10_000));
    return { state: 'Running' };
  } catch (e) {
    if (t.record?.hold) return { state: 'Stopped' };
    return { state: 'Error', reason: `the host answers but its Docker engine does not: ${engineMessage(e)}` };
  } finally {
    await conns.closeAll();
  }
}

function statusCommand(): Command {
  return addConfigOptions(new Command('status'))
    .description("print a machine's state: Running, Stopped or Error (with the reason)")
    .argument('<NAME>', 'machine name')
    .action(async (name: string, opts: ConfigOptions) => {
      const s = await machineState(await load(name, opts));
      out(s.reason ? `${s.state}: ${s.reason}` : s.state);
    });
}

async function ipOf(t: MachineTarget): Promise<string> {
  const address = t.driver.traits.provisioned ? (t.record?.ssh ?? (await t.driver.address(t.request))) : null;
  if (address) return address.host;
  const ep = await t.driver.engineUrl(t.request);
  if (ep.kind === 'tcp') return ep.host;
  throw new DriverError(t.name, `driver ${t.spec.driver} has no IP address: its engine is ${endpointUrl(ep)}`);
}

function ipCommand(): Command {
  return addConfigOptions(new Command('ip'))
    .description("print a machine's IP address")
    .argument('<NAME>', 'machine name')
    .action(async (name: string, opts: ConfigOptions) => out(await ipOf((await load(name, opts)).target)));
}

async function urlOf(t: MachineTarget): Promise<string> {
  return t.record?.engineUrl ?? endpointUrl(await t.driver.engineUrl(t.request));
}

function urlCommand(): Command {
  return addConfigOptions(new Command('url'))
    .description("print the URL of a machine's Docker engine")
    .argument('<NAME>', 'machine name')
    .action(async (name: string, opts: ConfigOptions) => out(await urlOf((await load(name, opts)).target)));
}

function inspectCommand(): Command {
  return addConfigOptions(new Command('inspect'))
    .description('print what mfile knows about a machine, as JSON (secrets masked)')
    .argument('<NAME>', 'machine name')
    .action(async (name: string, opts: ConfigOptions) => {
      const l = await load(name, opts);
      const t = l.target;
      const masker = sensitiveMasker();
      const endpoint = await t.driver.engineUrl(t.request).catch(() => undefined);
      const ssh = t.driver.traits.provisioned ? (t.record?.ssh ?? (await t.driver.address(t.request).catch(() => null))) : null;
      const state = await machineState(l);
      const tls =
        endpoint?.kind === 'tcp' && endpoint.tls
          ? {
              ca: endpoint.tls.ca,
              clientCert: endpoint.tls.cert,
              clientKey: endpoint.tls.key,
              ...(t.driver.traits.provisioned ? { serverCert: serverCertPaths(path.dirname(l.statePath), name).cert, serverKey: serverCertPaths(path.dirname(l.statePath), name).key } : {}),
            }
          : null;
      const info = {
        name,
        driver: t.spec.driver,
        // As the plan shows them: pruned and masked.
        driverOptions: masker.value(prune(t.spec.driverOptions) ?? {}),
        ip: await ipOf(t).catch(() => null),
        ssh: ssh ? { host: ssh.host, port: ssh.port, user: ssh.user, identityFile: ssh.identityFile ?? null, ...(ssh.jump ? { jump: { host: ssh.jump.host, port: ssh.jump.port, user: ssh.jump.user } } : {}) } : null,
        hostKeyFingerprint: t.record?.hostKeyFingerprint ?? null,
        engineUrl: t.record?.engineUrl ?? (endpoint ? endpointUrl(endpoint) : null),
        tls,
        engineOptions: t.driver.traits.provisioned ? masker.value(engineAttributes(t.spec)) : null,
        dockerVersion: t.record?.dockerVersion ?? null,
        state: state.state,
        ...(state.reason ? { stateReason: state.reason } : {}),
        hold: t.record?.hold ?? null,
      };
      out(JSON.stringify(info, null, 2));
    });
}

export function machineInfoCommands(): Command[] {
  return [inspectCommand(), ipCommand(), urlCommand(), statusCommand()];
}
