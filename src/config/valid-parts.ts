// After schema errors: the parts of the file that passed, so the cross-field checks can still run on them,
// and the names left out, so that no check reports a reference to them (that would only echo a schema error).
import type { Raw } from './context.js';
import type { Path } from './path-text.js';

export const SECTIONS = ['machines', 'networks', 'volumes', 'secrets', 'registries', 'containers'] as const;
export type Section = (typeof SECTIONS)[number];

/** Names that exist in the file but were left out because their entry failed the schema. */
export interface Excluded {
  names: Record<Section, Set<string>>;
  /** Sections that failed as a whole (not a mapping, say): every name in them counts as excluded. */
  whole: Set<Section>;
}

export function isExcluded(ex: Excluded | undefined, section: Section, name: string): boolean {
  return ex !== undefined && (ex.whole.has(section) || ex.names[section].has(name));
}

function isSection(key: unknown): key is Section {
  return (SECTIONS as readonly unknown[]).includes(key);
}

function isMap(v: unknown): v is Raw {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/**
 * `data` without every entry (machine, container, ...) or top-level key a schema error lies in. The entries
 * themselves are shared with `data`, not copied: only the maps holding them are new.
 */
export function validParts(data: Raw, errorPaths: Path[]): { data: Raw; excluded: Excluded } {
  const excluded: Excluded = {
    names: { machines: new Set(), networks: new Set(), volumes: new Set(), secrets: new Set(), registries: new Set(), containers: new Set() },
    whole: new Set(),
  };
  const out: Raw = { ...data };
  for (const s of SECTIONS) if (isMap(out[s])) out[s] = { ...(out[s] as Raw) };
  for (const path of errorPaths) {
    const [top, name] = path;
    if (top === undefined) {
      // An error on the file as a whole (a missing required key): fill in what the checks need.
      if (!isMap(out.machines)) (out.machines = {}), excluded.whole.add('machines');
      continue;
    }
    if (isSection(top)) {
      if (name === undefined || !isMap(out[top])) {
        out[top] = {};
        excluded.whole.add(top);
      } else {
        delete (out[top] as Raw)[String(name)];
        excluded.names[top].add(String(name));
      }
      continue;
    }
    delete out[String(top)];
  }
  // version is required and used by no check; machines is required too.
  if (out.version === undefined) out.version = 1;
  if (!isMap(out.machines)) (out.machines = {}), excluded.whole.add('machines');
  return { data: out, excluded };
}
