// Waits for a container to reach a depends_on condition, polling inspect. A timeout names the container and
// shows its last health log line, so the user sees why it never became healthy.
import type Docker from 'dockerode';
import type { DependsOnSpec, HealthcheckSpec } from '../../model/index.js';
import { setTimeout as sleep } from 'node:timers/promises';

export type Condition = DependsOnSpec['condition'];

const WORD: Record<Condition, string> = {
  service_started: 'started',
  service_healthy: 'healthy',
  service_completed_successfully: 'completed successfully',
};

/** How long a health check may take to pass: start period plus every retry, with slack. */
export function healthTimeoutMs(h: HealthcheckSpec | undefined, fallbackMs: number): number {
  if (!h || h.disable) return fallbackMs;
  const ns = (h.start_period ?? 0) + ((h.interval ?? 30e9) + (h.timeout ?? 30e9)) * ((h.retries ?? 3) + 1);
  return Math.max(fallbackMs, Math.ceil(ns / 1e6) + 10_000);
}

function lastHealthLine(info: Docker.ContainerInspectInfo): string {
  const log = (info.State.Health as { Log?: { Output?: string; ExitCode?: number }[] } | undefined)?.Log ?? [];
  const last = log[log.length - 1];
  if (!last) return 'no health check has run yet';
  const out = (last.Output ?? '').trim().split('\n').pop() ?? '';
  return `exit ${last.ExitCode}${out ? `: ${out}` : ''}`;
}

/** Resolves when reached; rejects with a one-line reason when it cannot be reached or time runs out. */
export async function waitForCondition(
  docker: Docker,
  container: string,
  condition: Condition,
  opts: { timeoutMs: number; signal?: AbortSignal; pollMs?: number },
): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  let poll = opts.pollMs ?? 100;
  for (;;) {
    opts.signal?.throwIfAborted();
    const info = await docker.getContainer(container).inspect({ abortSignal: opts.signal } as object);
    const st = info.State;
    const health = (st.Health as { Status?: string } | undefined)?.Status;
    const started = st.Running || st.StartedAt !== '0001-01-01T00:00:00Z';
    if (condition === 'service_started' && started) return;
    if (condition === 'service_healthy') {
      if (!info.Config.Healthcheck || info.Config.Healthcheck.Test?.[0] === 'NONE') {
        throw new Error(`${container} has no health check, so it can never be healthy (use condition service_started)`);
      }
      if (health === 'healthy') return;
      if (health === 'unhealthy') throw new Error(`${container} is unhealthy (last health check: ${lastHealthLine(info)})`);
      if (!st.Running && started) throw new Error(`${container} exited with code ${st.ExitCode} before it became healthy`);
    }
    if (condition === 'service_completed_successfully' && !st.Running && started) {
      if (st.ExitCode === 0) return;
      throw new Error(`${container} exited with code ${st.ExitCode}, not 0`);
    }
    if (Date.now() >= deadline) {
      const why = condition === 'service_healthy' ? ` (last health check: ${lastHealthLine(info)})` : ` (state: ${st.Status})`;
      throw new Error(`timed out after ${Math.round(opts.timeoutMs / 1000)}s waiting for ${container} to be ${WORD[condition]}${why}`);
    }
    await sleep(poll, undefined, { signal: opts.signal });
    poll = Math.min(poll * 2, 1000);
  }
}
