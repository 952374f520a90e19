// A driver's secret options (the block keys its traits list as secretKeys: API tokens, passwords) must come from
// a sensitive variable: the machine's options are kept in plans and in .mfile/state.json, where a sensitive value
// is masked and a literal one would be written out.
import { obj, report, type Context, type Raw } from './context.js';

export function requireSensitiveSecrets(ctx: Context, data: Raw): void {
  const secrets = (ctx.sensitive ?? []).filter((s) => s !== '');
  const masked = (v: unknown): boolean => typeof v === 'string' && secrets.some((s) => v.includes(s));
  for (const [name, m] of Object.entries(obj(data.machines))) {
    const traits = ctx.drivers.get(String(obj(m).driver));
    if (!traits?.block || traits.secretKeys.length === 0) continue;
    const block = obj(obj(m)[traits.block]);
    for (const key of traits.secretKeys) {
      const v = block[key];
      if (v === undefined || v === '' || masked(v)) continue;
      report(
        ctx,
        ['machines', name, traits.block, key],
        `machines.${name}.${traits.block}.${key}: a credential: give it as a sensitive variable (variables: { NAME: { sensitive: true } }, then "\${NAME}"), or leave it out for the driver's environment variable`,
      );
    }
  }
}
