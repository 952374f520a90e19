// deploy.update_config of a container: Compose's keys and defaults, durations in nanoseconds.
import type { UpdateConfigSpec } from '../model/index.js';
import { obj, report, type Context, type Raw } from './context.js';
import type { Path } from './path-text.js';
import { parseDuration } from './units.js';

/**
 * Compose's defaults, except failure_action: Compose's `pause` leaves a Swarm service half updated; for a plain
 * container mfile's default `rollback` puts the old container back (pause does too, and keeps the failed one).
 */
export function updateConfig(ctx: Context, path: Path, v: unknown): UpdateConfigSpec | undefined {
  if (v === undefined || v === null) return undefined;
  const u: Raw = obj(v);
  const duration = (key: string): number => {
    if (u[key] === undefined) return 0;
    const ns = parseDuration(String(u[key]));
    if (ns === undefined) report(ctx, [...path, key], `'${String(u[key])}' must be a duration like 30s, 1m30s or 100ms`);
    return ns ?? 0;
  };
  return {
    parallelism: typeof u.parallelism === 'number' ? u.parallelism : 1,
    delay: duration('delay'),
    order: u.order === 'start-first' ? 'start-first' : 'stop-first',
    failure_action: u.failure_action === 'pause' || u.failure_action === 'continue' ? u.failure_action : 'rollback',
    monitor: duration('monitor'),
  };
}
