// Machine step. Record-only drivers: nothing to create; check that the engine answers and record the machine.
// Provisioned drivers (trait `provisioned`): driver create, SSH, provisioning and TLS.
import type { MachineRecord, SshAddress } from '../../model/index.js';
import { askFacts, provisionEngine } from '../../remote/provision/provision.js';
import { writeKnownHosts } from '../../remote/ssh/known-hosts.js';
import { sshPool } from '../../remote/ssh/pool.js';
import { ensureCa, prewarmServerKey } from '../../remote/tls/store.js';
import { driverFor } from '../../drivers/registry.js';
import { createdSoFar } from '../../drivers/cloud/pending.js';
import { endpointUrl, engineVersion } from '../../remote/docker/client.js';
import { engineMessage } from '../../remote/docker/errors.js';
import { driverContext } from '../connections.js';
import type { NodeOutcome, StepContext, StepHandler } from '../types.js';

async function ensure(ctx: StepContext): Promise<NodeOutcome> {
  const { node, conns } = ctx;
  const spec = conns.spec(node.machine);
  const endpoint = await conns.endpoint(node.machine);
  const docker = await conns.docker(node.machine);
  let version: { Version: string };
  try {
    version = await engineVersion(docker, AbortSignal.timeout(15_000));
  } catch (err) {
    throw new Error(`${node.machine}: engine ${endpointUrl(endpoint)} does not answer: ${engineMessage(err)}`);
  }
  const prior = ctx.state.machines[node.machine];
  const record: MachineRecord = {
    name: node.machine,
    driver: spec.driver,
    status: 'created',
    // node.after is already masked; driver_options is what the planner compares against next time.
    driverOptions: (node.after?.driver_options as Record<string, unknown> | undefined) ?? prior?.driverOptions ?? {},
    driverData: prior?.driverData ?? {},
    engineUrl: endpointUrl(endpoint),
    dockerVersion: version.Version,
    updatedAt: new Date().toISOString(),
  };
  return { machineRecord: record, text: `${ctx.node.action === "create" ? "created" : "updated"}: engine ${version.Version} at ${record.engineUrl}` };
}

async function remove(ctx: StepContext): Promise<NodeOutcome> {
  const { node, desired, conns } = ctx;
  const spec = conns.spec(node.machine);
  await driverFor(spec.driver).remove({
    machine: spec,
    driverData: node.priorHost?.driverData ?? ctx.state.machines[node.machine]?.driverData ?? {},
    ctx: driverContext(desired, { signal: ctx.signal }),
  });
  return { machineRecord: null };
}

export const machineStep: StepHandler = {
  run: (ctx) => {
    // The driver's trait, as the spec carries it (for a machine only the state names, from the catalog).
    if (ctx.conns.spec(ctx.node.machine).traits.provisioned) return ctx.node.action === 'delete' ? removeProvisioned(ctx) : ensureProvisioned(ctx);
    return ctx.node.action === 'delete' ? remove(ctx) : ensure(ctx);
  },
};

// ---- Drivers with hosts mfile provisions over SSH (sandbox, generic) ----

/**
 * A record saved before driver.create (pending) or after it failed (tainted): the host is never unknown. It
 * keeps the last contact's address and pinned keys until a new first contact replaces them, so a create that
 * fails before that contact cannot drop a pin.
 */
function partialRecord(ctx: StepContext, status: 'pending' | 'tainted', driverData: Record<string, unknown>): MachineRecord {
  const spec = ctx.conns.spec(ctx.node.machine);
  const last = ctx.node.priorHost;
  return {
    name: spec.name,
    driver: spec.driver,
    status,
    driverOptions: planned(ctx.node.driverOptions, ctx, 'driver options'),
    driverData,
    ...(last?.ssh ? { ssh: last.ssh, hostKeyFingerprint: last.hostKeyFingerprint, jumpHostKeyFingerprint: last.jumpHostKeyFingerprint } : {}),
    updatedAt: new Date().toISOString(),
  };
}

async function ensureProvisioned(ctx: StepContext): Promise<NodeOutcome> {
  const { node, desired, signal } = ctx;
  const name = node.machine;
  const spec = ctx.conns.spec(name);
  const driver = driverFor(spec.driver);
  const prior = ctx.state.machines[name];
  const dctx = driverContext(desired, { signal });
  let driverData: Record<string, unknown> = { ...(prior?.driverData ?? {}) };
  // The plan's decision of what a create chooses (refresh probed it): the driver does not probe again.
  const choices = node.createChoices && Object.keys(node.createChoices.values).length ? { choices: node.createChoices.values } : {};
  const req = () => ({ machine: spec, driverData, ctx: { ...dctx, log: (l: string) => ctx.progress(l, 'create') }, ...choices });

  // The planner decided: no record, a pending or tainted one, or a host gone missing is a create or replace.
  const mustCreate = node.action === 'create' || node.action === 'replace';
  // The CA (two RSA keys) is made while the machine boots; provisioning needs it later.
  ensureCa(dctx.stateDir).catch(() => undefined);
  prewarmServerKey(dctx.stateDir, name);
  if (mustCreate) {
    const old = node.priorHost;
    if (old && Object.keys(old.driverData).length > 0) {
      // Replaced, or left tainted by a failed create: clear what exists before making it anew, where the
      // state recorded it and with its pinned keys (the plan node carries both).
      ctx.progress(`${name}: removing the previous ${spec.driver} machine`, 'create');
      await driver.remove({ machine: spec, driverData: old.driverData, prior: old, ctx: { ...dctx, log: (l) => ctx.progress(l, 'create') } });
      await sshPool().drop(name);
      driverData = {};
    }
    ctx.progress(`${name}: creating ${spec.driver} machine`, 'create');
    await driver.preCreateCheck(req());
    await ctx.checkpointMachine?.(partialRecord(ctx, 'pending', {}));
    try {
      driverData = (await driver.create(req())).driverData;
    } catch (err) {
      // What the failed create made (a cloud server, key, firewall) stays on record, so the rerun removes it.
      await ctx.checkpointMachine?.(partialRecord(ctx, 'tainted', createdSoFar(err))).catch(() => undefined);
      throw err;
    }
    // Known from here on, even if provisioning fails or mfile dies.
    await ctx.checkpointMachine?.(partialRecord(ctx, 'pending', driverData));
  } else if ((await driver.status(req())).status === 'stopped') {
    ctx.progress(`${name}: starting ${spec.driver} machine`, 'create');
    await driver.start(req());
  }

  // The record with the SSH address and the keys pinned on first contact, once there is one.
  let contacted: MachineRecord | undefined;
  try {
    const address = (await driver.address(req()))!;
    ctx.progress(`${name}: connecting to ${address.user}@${address.host}:${address.port}`, 'ssh');
    const session = await sshPool().get({
      machine: name,
      address,
      pinnedFingerprint: pinFor(prior, driverData, address),
      pinnedJumpFingerprint: jumpPinFor(prior, address),
      timeoutMs: sshTimeoutMs(mustCreate),
      signal,
      onRetry: (n, why) => ctx.progress(`${name}: waiting for SSH (attempt ${n}: ${why})`, 'ssh'),
    });
    // The facts only read the host: asked for while the key is pinned, they are there when provisioning starts.
    const facts = askFacts(session);
    await writeKnownHosts(dctx.stateDir, name, session.knownHostsLine, session.jumpKnownHostsLine);
    // Pinned on disk before provisioning runs: if it fails, or mfile dies, the next apply still expects this key.
    contacted = {
      ...(mustCreate || !prior ? partialRecord(ctx, 'pending', driverData) : prior),
      ssh: address,
      hostKeyFingerprint: session.fingerprint,
      jumpHostKeyFingerprint: session.jumpFingerprint,
    };
    if (mustCreate || !prior || prior.hostKeyFingerprint !== session.fingerprint || prior.jumpHostKeyFingerprint !== session.jumpFingerprint || !sameAddress(prior.ssh, address)) {
      await ctx.checkpointMachine?.({ ...contacted, updatedAt: new Date().toISOString() });
    }
    ctx.progress(`${name}: provisioning Docker (${session.fingerprint})`, 'provision');
    const engineHash = planned(node.configHash, ctx, 'engine config hash');
    // A driver may forward the engine to another port than engine.port (a VM on user networking).
    const endpoint = await driver.engineUrl(req());
    const result = await provisionEngine({
      machine: spec,
      session,
      stateDir: dctx.stateDir,
      engineHost: address.host,
      enginePort: endpoint.kind === 'tcp' ? endpoint.port : undefined,
      engineHash,
      facts,
      signal,
      log: (l) => ctx.progress(l, l.includes('dockerd') ? 'engine' : 'provision'),
    });
    ctx.progress(`${name}: engine ${result.dockerVersion} at ${result.engineUrl}`, 'engine');
    const record: MachineRecord = {
      ...partialRecord(ctx, 'pending', driverData),
      status: 'created',
      ssh: address,
      hostKeyFingerprint: session.fingerprint,
      jumpHostKeyFingerprint: session.jumpFingerprint,
      engineUrl: result.engineUrl,
      engineHash,
      engine: planned(node.after?.engine as Record<string, unknown> | undefined, ctx, 'engine attributes'),
      dockerVersion: result.dockerVersion,
    };
    const what = result.restarted ? 'daemon restarted' : result.started ? 'daemon started' : 'daemon unchanged';
    return { machineRecord: record, text: `${name}: engine ${result.dockerVersion} at ${result.engineUrl} (${what})` };
  } catch (err) {
    if (mustCreate) {
      // Tainted, keeping the pins of this first contact, or else of the last one.
      const tainted = contacted ? { ...contacted, status: 'tainted' as const } : partialRecord(ctx, 'tainted', driverData);
      await ctx.checkpointMachine?.(tainted).catch(() => undefined);
    }
    throw err;
  }
}

/** What the planner settled for this machine (hashed and masked there); a node without it is from another planner. */
function planned<T>(value: T | undefined, ctx: StepContext, what: string): T {
  if (value === undefined) throw new Error(`${ctx.node.address}: the plan gives no ${what} for it; make a new plan`);
  return value;
}

function sameAddress(a: SshAddress | undefined, b: SshAddress): boolean {
  return !!a && a.host === b.host && a.port === b.port && a.user === b.user && a.jump?.host === b.jump?.host && a.jump?.port === b.jump?.port;
}

/** How long to wait for SSH: a new machine may still be booting. MFILE_SSH_TIMEOUT (seconds) overrides. */
function sshTimeoutMs(creating: boolean): number {
  const s = Number(process.env.MFILE_SSH_TIMEOUT);
  return s > 0 ? s * 1000 : creating ? 90_000 : 20_000;
}

/**
 * The key to expect: the one the driver made (sandbox), else the one pinned earlier for the same address.
 * A recreated machine at a new address starts a new pin.
 */
function pinFor(prior: MachineRecord | undefined, driverData: Record<string, unknown>, a: SshAddress): string | undefined {
  if (typeof driverData.hostKeyFingerprint === 'string') return driverData.hostKeyFingerprint;
  if (prior?.ssh && prior.ssh.host === a.host && prior.ssh.port === a.port) return prior.hostKeyFingerprint;
  return undefined;
}

/** The jump host's key pinned earlier for the same jump address; a new jump host starts a new pin. */
function jumpPinFor(prior: MachineRecord | undefined, a: SshAddress): string | undefined {
  const was = prior?.ssh?.jump;
  return was && a.jump && was.host === a.jump.host && was.port === a.jump.port ? prior.jumpHostKeyFingerprint : undefined;
}

async function removeProvisioned(ctx: StepContext): Promise<NodeOutcome> {
  const { node, desired } = ctx;
  const spec = ctx.conns.spec(node.machine);
  ctx.progress(`${node.machine}: removing ${spec.driver} machine`, 'create');
  await driverFor(spec.driver).remove({
    machine: spec,
    driverData: node.priorHost?.driverData ?? {},
    prior: node.priorHost,
    ctx: { ...driverContext(desired, { signal: ctx.signal }), log: (l) => ctx.progress(l, 'create') },
  });
  await sshPool().drop(node.machine);
  return { machineRecord: null, text: `${node.machine}: removed` };
}
