// A machine's address (the keys of its block its driver lists as addressKeys: an SSH host, user, port and key
// path, an engine URL, a subnet and IP) is kept in .mfile/state.json, where `mfile ssh`, `env` and the next run read it. A sensitive
// value there would be written to the state, so it is refused with its position instead.
import { obj, report, type Context, type Raw } from './context.js';
import type { Path } from './path-text.js';

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
    // The driver declares which keys of its block make the address (addressKeys).
    const traits = ctx.drivers.get(String(obj(m).driver));
    if (!traits?.block) continue;
    const block = obj(obj(m)[traits.block]);
    for (const key of traits.addressKeys) {
      const path = key.split('.');
      let value: unknown = block;
      for (const seg of path) value = obj(value)[seg];
      walk(value, ['machines', name, traits.block, ...path]);
    }
  }
}
