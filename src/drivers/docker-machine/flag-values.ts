// A machine block's values for a Docker Machine driver's flags: every flag at its default, or at its environment
// variable when that is set, overridden by what the block sets (as Docker Machine's create does), each checked
// against the flag's type.
import type { DockerMachineFlag, FlagValue } from './flags.js';

export type FlagCheck = { values: Map<string, FlagValue> } | { error: string };

export function flagValues(flags: readonly DockerMachineFlag[], block: Record<string, unknown>, plugin: string, env: NodeJS.ProcessEnv = {}): FlagCheck {
  const byName = new Map(flags.map((f) => [f.name, f]));
  const values = new Map<string, FlagValue>();
  for (const f of flags) {
    const fromEnv = f.envVar ? env[f.envVar] : undefined;
    const v = fromEnv === undefined || fromEnv === '' ? undefined : fromEnvironment(f, fromEnv);
    if (fromEnv !== undefined && fromEnv !== '' && v === undefined) return { error: `$${f.envVar} (flag ${f.name}) takes ${WANTS[f.kind]}, not ${JSON.stringify(fromEnv)}` };
    values.set(f.name, v ?? f.default);
  }
  for (const [key, raw] of Object.entries(block)) {
    const flag = byName.get(key);
    if (!flag) {
      const near = flags.map((f) => f.name).filter((n) => n.toLowerCase() === key.toLowerCase() || n.endsWith(`-${key}`));
      return { error: `${plugin} has no flag "${key}"${near.length ? ` (did you mean ${near.join(', ')}?)` : ''}` };
    }
    const v = coerce(flag, raw);
    if (v === undefined) return { error: `flag ${key} takes ${WANTS[flag.kind]}, not ${JSON.stringify(raw)}` };
    values.set(key, v);
  }
  return { values };
}

const WANTS: Record<DockerMachineFlag['kind'], string> = {
  string: 'a string',
  int: 'an integer',
  bool: 'true or false',
  'string-slice': 'a list of strings',
};

function coerce(flag: DockerMachineFlag, raw: unknown): FlagValue | undefined {
  switch (flag.kind) {
    case 'string':
      return typeof raw === 'string' ? raw : typeof raw === 'number' ? String(raw) : undefined;
    case 'int':
      return typeof raw === 'number' && Number.isSafeInteger(raw) ? raw : undefined;
    case 'bool':
      return typeof raw === 'boolean' ? raw : undefined;
    case 'string-slice':
      if (typeof raw === 'string') return [raw];
      return Array.isArray(raw) && raw.every((s) => typeof s === 'string') ? (raw as string[]) : undefined;
  }
}

/** An environment variable's text as the flag's value, parsed as Docker Machine's flag library does. */
function fromEnvironment(flag: DockerMachineFlag, text: string): FlagValue | undefined {
  switch (flag.kind) {
    case 'string':
      return text;
    case 'int':
      return /^-?[0-9]+$/.test(text.trim()) && Number.isSafeInteger(Number(text)) ? Number(text) : undefined;
    case 'bool':
      return /^(1|t|true)$/i.test(text) ? true : /^(0|f|false)$/i.test(text) ? false : undefined;
    case 'string-slice':
      return text.split(',').map((s) => s.trim());
  }
}
