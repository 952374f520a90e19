// Compose-style substitution (see expand.ts) and ${env:NAME} on the YAML tree, before validation, so every value
// keeps its position. Variable defaults under `variables` are taken literally.
import type { VariableValue } from '../model/desired.js';
import { expand, ExpandError, Unset } from './expand.js';
import type { IssueList } from './issues.js';
import type { Placer } from './placer.js';

/** A scalar that interpolate() substitutes in place: a `yaml` Scalar, or the fast reader's stand-in for one. */
export interface SubstitutionSlot {
  value: unknown;
  /** 'PLAIN' for an unquoted scalar: after substitution it takes the type its text has. */
  readonly type?: string;
}

/** What interpolate() reads of a machines.yml, whichever reader read it. */
export interface InterpolationInput {
  /** The top-level `variables` section as data; throws when the tree cannot be converted (an alias bomb). */
  variables(): unknown;
  /** Every scalar outside the top-level `variables` whose text holds `$`, in document order. */
  slots(): Iterable<SubstitutionSlot>;
}

export interface InterpolateOptions {
  /** --var-stdin, --var and --var-file, merged in that precedence. */
  vars: Record<string, string>;
  env: NodeJS.ProcessEnv;
  /** The .env file beside machines.yml. */
  dotenv?: Record<string, string>;
}

/** One line naming every way to give a variable a value. */
export function unsetMessage(name: string, declared: boolean): string {
  const ways = `pass --var ${name}=VALUE, --var-file FILE or --var-stdin ${name}, set MFILE_VAR_${name} or ${name} in the environment, or add ${name}=VALUE to .env`;
  return declared ? `variable '${name}' has no value: ${ways}, or give it a default` : `undefined variable '${name}': ${ways}, or declare it under variables with a default`;
}

export interface Interpolated {
  variables: Record<string, VariableValue>;
  sensitiveValues: string[];
  /** Sorted `name=value` lines of every resolved value, for the config digest. */
  digestParts: string[];
  /** Scalars whose substitution failed: later stages stay quiet about them. */
  failed: Set<SubstitutionSlot>;
  /** Quoted scalars that were substituted: "${port}" may stand where a number is expected. */
  substituted: Set<SubstitutionSlot>;
  /** The whole text of each scalar a sensitive value went into, to mask what it is normalised to. */
  sensitiveScalars: string[];
}

interface Declared {
  default?: string;
  sensitive: boolean;
}

/** A key's own value only: `constructor`, `toString` or `__proto__` must not resolve through the prototype. */
export function ownValue<T>(from: Readonly<Record<string, T>> | NodeJS.ProcessEnv, key: string): T | undefined {
  return Object.hasOwn(from, key) ? (from as Record<string, T>)[key] : undefined;
}

function declarations(input: InterpolationInput): Map<string, Declared> {
  const out = new Map<string, Declared>();
  let vars: unknown;
  try {
    vars = input.variables();
  } catch {
    return out; // an alias bomb: load() reports it when it converts the document
  }
  if (!vars || typeof vars !== 'object' || Array.isArray(vars)) return out;
  for (const [name, v] of Object.entries(vars as Record<string, unknown>)) {
    const decl = v && typeof v === 'object' ? (v as Record<string, unknown>) : {};
    const d = decl.default;
    out.set(name, {
      default: typeof d === 'string' || typeof d === 'number' || typeof d === 'boolean' ? String(d) : undefined,
      sensitive: decl.sensitive === true,
    });
  }
  return out;
}

function sensitiveOf(variables: Record<string, VariableValue>): string[] {
  return [...new Set(Object.values(variables).filter((v) => v.sensitive && v.value !== '').map((v) => v.value))].sort();
}

/** After substitution an unquoted scalar takes the type its text has in YAML: `port: ${p}` is a number. */
function retype(text: string): string | number | boolean {
  if (/^[-+]?[0-9]+$/.test(text) || /^[-+]?(\.[0-9]+|[0-9]+\.[0-9]*)([eE][-+]?[0-9]+)?$/.test(text)) return Number(text);
  if (text === 'true') return true;
  if (text === 'false') return false;
  return text;
}

export function interpolate(input: InterpolationInput, placer: Placer, opts: InterpolateOptions, issues: IssueList): Interpolated {
  const declared = declarations(input);
  // Null-prototype: a variable may be named like an Object.prototype member.
  const variables: Record<string, VariableValue> = Object.create(null) as Record<string, VariableValue>;
  const envUsed = new Map<string, string>();
  const failed = new Set<SubstitutionSlot>();
  const substituted = new Set<SubstitutionSlot>();
  const sensitiveScalars: string[] = [];

  // Compose's order (the shell environment before .env), with mfile's own sources in front.
  const resolve = (name: string): string | undefined =>
    ownValue(opts.vars, name) ??
    ownValue(opts.env, `MFILE_VAR_${name}`) ??
    ownValue(opts.env, name) ??
    ownValue(opts.dotenv ?? {}, name) ??
    declared.get(name)?.default;

  for (const [name, d] of declared) {
    const value = resolve(name);
    if (value !== undefined) variables[name] = { value, sensitive: d.sensitive };
  }
  // Only declared variables can be sensitive, so every secret is known here: a ${X:?msg} message may quote one.
  issues.maskValues(sensitiveOf(variables));

  const substitute = (node: SubstitutionSlot, text: string): void => {
    let secret = false;
    let used = false;
    const lookup = (name: string, env: boolean): string | undefined => {
      used = true;
      if (env) {
        const value = ownValue(opts.env, name);
        if (value !== undefined) envUsed.set(name, value);
        return value;
      }
      const value = resolve(name);
      if (value === undefined) return undefined;
      if (!Object.hasOwn(variables, name)) variables[name] = { value, sensitive: false };
      if (declared.get(name)?.sensitive) secret = true;
      return value;
    };
    let out: string;
    try {
      out = expand(text, lookup);
    } catch (err) {
      if (!(err instanceof ExpandError)) throw err;
      const message =
        err instanceof Unset
          ? err.env
            ? `environment variable '${err.variable}' is not set (used as \${env:${err.variable}})`
            : unsetMessage(err.variable, declared.has(err.variable))
          : err.message;
      issues.add(placer.issueAt(node, message));
      failed.add(node);
      return;
    }
    if (out === text && !used) return;
    if (secret) sensitiveScalars.push(out);
    if (node.type === 'PLAIN') node.value = retype(out);
    else (node.value = out), substituted.add(node);
  };

  for (const slot of input.slots()) substitute(slot, slot.value as string);

  const sensitiveValues = sensitiveOf(variables);
  const digestParts = [
    ...Object.entries(variables).map(([k, v]) => `${k}=${v.value}`),
    ...[...envUsed].map(([k, v]) => `env:${k}=${v}`),
  ].sort();
  return { variables, sensitiveValues, digestParts, failed, substituted, sensitiveScalars };
}
