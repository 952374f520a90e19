// One machine's step of a rolling update (the plan's `rolling` on a container replace). The previous container
// is kept, renamed, until the new one is ready: healthy when it has a health check, and still running (and not
// unhealthy) after the monitor period. If it is not, the previous container is put back under its name and
// started again, and the step fails with a RollingUpdateError; the plan's edges stop or go on with the update.
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type Docker from 'dockerode';
import type { ContainerSpec, RollingStep } from '../../model/index.js';
import { PREVIOUS_MARK } from '../../model/engine-names.js';
import { RollingUpdateError } from '../../errors.js';
import { engineMessage, isNotModified } from '../../remote/docker/errors.js';
import { healthTimeoutMs, waitForCondition } from '../../remote/docker/wait.js';
import type { NodeOutcome, StepContext } from '../types.js';
import { callSignal, containerName, plannedHash } from './common.js';
import { createOrAdopt, hasHealthcheck, inspectOrNull, removeContainer, startContainer, stopSeconds } from './container-ops.js';

const DEFAULT_HEALTH_TIMEOUT_MS = 120_000;
const WATCH_POLL_MS = 500;

interface Kept {
  id: string;
  name: string;
  wasRunning: boolean;
  /** Its own health check (the previous spec's), waited for once it is back. */
  healthcheck: boolean;
}

const seconds = (ms: number): string => `${Number((ms / 1000).toFixed(3))}s`;

/** update_config.delay before a batch after the first; run from the gate, so it holds no engine slot. */
export async function rollingDelay(ctx: StepContext): Promise<void> {
  const r = ctx.node.rolling;
  if (!r || r.delayMs <= 0 || ctx.node.action !== 'replace') return;
  ctx.progress(`waiting ${seconds(r.delayMs)} (update_config.delay) before batch ${r.batch} of ${r.batches}`);
  await sleep(r.delayMs, undefined, { signal: ctx.signal });
}

export async function rollingReplace(ctx: StepContext, docker: Docker, spec: ContainerSpec): Promise<NodeOutcome> {
  const { node } = ctx;
  const r = node.rolling as RollingStep;
  const strategy = node.replaceStrategy;
  if (!strategy) throw new Error(`${node.address}: the plan gives no replace strategy for it; make a new plan`);
  ctx.progress(`rolling update: batch ${r.batch} of ${r.batches}`);
  const name = containerName(ctx.desired, spec.name);
  const suffix = randomBytes(3).toString('hex');
  const old = (node.existingId && (await inspectOrNull(docker, node.existingId))) || (await inspectOrNull(docker, name));
  let kept: Kept | undefined;
  if (old) {
    // Renamed, not removed: the new container takes the name (and its DNS name on networks) at once.
    const test = old.Config.Healthcheck?.Test;
    kept = { id: old.Id, name: `${name}${PREVIOUS_MARK}${suffix}`, wasRunning: old.State.Running || node.previousRan === true, healthcheck: !!test?.length && test[0] !== 'NONE' };
    await docker.getContainer(old.Id).rename({ name: kept.name, ...callSignal() });
  }
  let newId: string | undefined;
  try {
    if (kept?.wasRunning && strategy.kind === 'stop-first') {
      ctx.progress(`stopping the previous ${name} first (${strategy.because.join(', ')})`);
      await stop(docker, kept.id, stopSeconds(spec));
    }
    newId = await createOrAdopt(ctx, docker, spec, name);
    await startContainer(docker, newId);
    await becomeReady(ctx, docker, newId, spec, r.monitorMs);
  } catch (err) {
    const outcome = await putBack(ctx, docker, name, kept, newId, r, suffix);
    if (ctx.signal.aborted) throw err; // interrupted: the executor reports it as such
    throw new RollingUpdateError(spec.name, node.machine, engineMessage(err), outcome);
  }
  // The new container is in place either way: a previous one left behind carries the labels, so the next plan
  // finds it as a duplicate and removes it.
  if (kept) {
    await removeContainer(docker, kept.id, stopSeconds(spec)).catch((err: unknown) =>
      ctx.progress(`the previous container ${kept.name} was not removed (${engineMessage(err)}); the next apply removes it`),
    );
  }
  return { record: { id: newId, configHash: plannedHash(node) } };
}

/** Healthy (with a health check), then running and not unhealthy for the monitor period. */
async function becomeReady(ctx: StepContext, docker: Docker, id: string, spec: ContainerSpec, monitorMs: number): Promise<void> {
  if (hasHealthcheck(spec)) {
    ctx.progress('waiting for the new container to be healthy');
    const timeoutMs = healthTimeoutMs(spec.healthcheck, ctx.options.dependencyTimeoutMs ?? DEFAULT_HEALTH_TIMEOUT_MS);
    await waitForCondition(docker, id, 'service_healthy', { timeoutMs, signal: ctx.signal });
  }
  if (monitorMs > 0) ctx.progress(`watching the new container for ${seconds(monitorMs)} (update_config.monitor)`);
  const until = Date.now() + monitorMs;
  for (;;) {
    const info = await docker.getContainer(id).inspect({ abortSignal: ctx.signal } as object);
    const st = info.State;
    if (!st.Running || st.Restarting) throw new Error(`the new container ${st.Restarting ? 'is restarting' : 'stopped'} (exit code ${st.ExitCode})`);
    if ((st.Health as { Status?: string } | undefined)?.Status === 'unhealthy') throw new Error('the new container turned unhealthy');
    const left = until - Date.now();
    if (left <= 0) return;
    await sleep(Math.min(WATCH_POLL_MS, left), undefined, { signal: ctx.signal });
  }
}

/**
 * The previous container back under its name, started if it ran. The new one is removed, or with
 * failure_action pause kept stopped under a `-failed-` name for inspection. Returns what happened, for the error.
 */
async function putBack(ctx: StepContext, docker: Docker, name: string, kept: Kept | undefined, newId: string | undefined, r: RollingStep, suffix: string): Promise<string> {
  const failedName = `${name}-mfile-failed-${suffix}`;
  const next = r.failureAction === 'continue' ? 'the update goes on with the other machines' : 'the update stopped';
  try {
    if (newId && r.failureAction === 'pause') {
      await stop(docker, newId, 0);
      await docker.getContainer(newId).rename({ name: failedName, ...callSignal() });
    } else if (newId) {
      await removeContainer(docker, newId, 0);
    }
    if (!kept) return `there was no previous container to put back; ${next}`;
    ctx.progress(`putting the previous ${name} back`);
    await docker.getContainer(kept.id).rename({ name, ...callSignal() });
    if (kept.wasRunning) await startContainer(docker, kept.id);
    // Serving again before the step reports: a stopped-first container needs its start-up time.
    if (kept.wasRunning && kept.healthcheck) {
      ctx.progress(`waiting for the previous ${name} to be healthy again`);
      await waitForCondition(docker, kept.id, 'service_healthy', { timeoutMs: ctx.options.dependencyTimeoutMs ?? DEFAULT_HEALTH_TIMEOUT_MS });
    }
  } catch (err) {
    return `putting the previous container back failed (${engineMessage(err)}): it is ${kept?.name ?? 'gone'}; ${next}`;
  }
  const inspect = newId && r.failureAction === 'pause' ? `, the new one is kept stopped as ${failedName}` : '';
  return `the previous container was put back${kept.wasRunning ? ' and runs' : ''}${inspect}; ${next}`;
}

async function stop(docker: Docker, id: string, t: number | undefined): Promise<void> {
  try {
    await docker.getContainer(id).stop({ ...(t !== undefined ? { t } : {}), ...callSignal() });
  } catch (err) {
    if (!isNotModified(err)) throw err;
  }
}

