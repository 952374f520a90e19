// How an existing container differs from the one machines.yml would create (for `mfile import`): every field the
// create options set is looked up in `docker inspect`, where the engine keeps it. Pure, like the mapping.
import type { CreatePlan } from './container-config.js';

/** What `docker inspect` returns, as far as the comparison reads it. */
export interface InspectedContainer {
  Name: string;
  Config: Record<string, unknown> & { Env?: string[]; Labels?: Record<string, string> | null };
  HostConfig: Record<string, unknown>;
  NetworkSettings?: { Networks?: Record<string, unknown> };
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** `want` is found in `have`: maps key by key (the engine adds its own defaults), lists and scalars exactly. */
function contains(have: unknown, want: unknown): boolean {
  if (isObject(want)) return isObject(have) ? Object.entries(want).every(([k, v]) => contains(have[k], v)) : Object.keys(want).length === 0 && (have === undefined || have === null);
  if (Array.isArray(want)) {
    if (want.length === 0) return have === undefined || have === null || (Array.isArray(have) && have.length === 0);
    return Array.isArray(have) && have.length === want.length && want.every((w, i) => contains(have[i], w));
  }
  // The engine reports an unset number or flag as 0 / false / "".
  if (want === 0 || want === false || want === '') return have === want || have === undefined || have === null || have === 0 || have === false || have === '';
  return have === want;
}

const short = (v: unknown): string => {
  const text = v === undefined ? 'unset' : JSON.stringify(v);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
};

/** Engine field paths whose value on the container is not what machines.yml asks, each `PATH: LIVE (file: WANTED)`. */
export function liveDifferences(plan: CreatePlan, live: InspectedContainer, ownLabels: readonly string[]): string[] {
  const out: string[] = [];
  const o = plan.options as Record<string, unknown>;
  const liveName = live.Name.replace(/^\//, '');
  if (o.name !== liveName) out.push(`Name: ${short(liveName)} (file: ${short(o.name)})`);
  for (const [k, want] of Object.entries(o)) {
    if (['name', 'HostConfig', 'NetworkingConfig', 'Labels', 'Env', 'AttachStdin', 'AttachStdout', 'AttachStderr', 'platform'].includes(k)) continue;
    if (!contains(live.Config[k], want)) out.push(`Config.${k}: ${short(live.Config[k])} (file: ${short(want)})`);
  }
  // The image adds its own environment: each variable the file sets must be there with its value.
  const env = new Set(live.Config.Env ?? []);
  const missing = ((o.Env as string[] | undefined) ?? []).filter((e) => !env.has(e)).map((e) => e.split('=')[0]);
  if (missing.length) out.push(`Config.Env: ${missing.join(', ')} not as the file sets ${missing.length === 1 ? 'it' : 'them'}`);
  const labels = live.Config.Labels ?? {};
  for (const [k, v] of Object.entries((o.Labels as Record<string, string> | undefined) ?? {})) {
    if (ownLabels.includes(k)) continue; // mfile's own labels cannot be added to an existing container
    if (labels[k] !== v) out.push(`Config.Labels.${k}: ${short(labels[k])} (file: ${short(v)})`);
  }
  for (const [k, want] of Object.entries(plan.options.HostConfig ?? {})) {
    if (!contains(live.HostConfig[k], want)) out.push(`HostConfig.${k}: ${short(live.HostConfig[k])} (file: ${short(want)})`);
  }
  const wanted = [...Object.keys(plan.options.NetworkingConfig?.EndpointsConfig ?? {}), ...plan.extraNetworks.map((n) => n.network)].sort();
  const attached = Object.keys(live.NetworkSettings?.Networks ?? {}).sort();
  const netMode = (plan.options.HostConfig as Record<string, unknown> | undefined)?.NetworkMode;
  if (wanted.length && wanted.join(',') !== attached.join(',')) out.push(`networks: ${short(attached)} (file: ${short(wanted)})`);
  else if (!wanted.length && netMode === undefined && attached.some((n) => n !== 'bridge')) out.push(`networks: ${short(attached)} (file: the default bridge)`);
  return out;
}

/** Keys of `want` (attributes as machines.yml gives them) whose value `found` does not hold, each `KEY: FOUND (file: WANTED)`. */
export function subsetDifferences(found: Record<string, unknown>, want: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(want)) if (!contains(found[k], v)) out.push(`${k}: ${short(found[k])} (file: ${short(v)})`);
  return out;
}
