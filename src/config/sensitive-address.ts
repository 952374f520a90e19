// A machine's address (generic host, user, port, key path and jump host; a none engine's URL; a sandbox's
// subnet and IP) is kept in .mfile/state.json, where `mfile ssh`, `env` and the next run read it. A sensitive
// value there would be written to the state, so it is refused with its position instead.
import { obj, report, type Context, type Raw } from './context.js';
import type { Path } from './positions.js';

/** Drivers whose whole block makes the address that the state keeps. */
const ADDRESS_BLOCKS: ReadonlySet<string> = new Set(['generic', 'none', 'sandbox']);

export function refuseSensitiveAddresses(ctx: Context, data: Raw): void {
  const secrets = (ctx.sensitive ?? []).filter((s) => s !== '');
  if (secrets.length === 0) return;
  const holds = (v: unknown): boolean => (typeof v === 'string' || typeof v === 'number') && secrets.some((s) => String(v).includes(s));
  const walk = (value: unknown, path: Path): void => {
    if (holds(value)) {
      report(ctx, path, `${path.join('.')}: a sensitive value cannot be used here: the machine's address is kept in .mfile/state.json (use a variable without sensitive: true)`);
    } else if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) walk(v, [...path, Array.isArray(value) ? Number(k) : k]);
    }
  };
  for (const [name, m] of Object.entries(obj(data.machines))) {
    const driver = obj(m).driver;
    if (typeof driver === 'string' && ADDRESS_BLOCKS.has(driver)) walk(obj(m)[driver], ['machines', name, driver]);
  }
}
