// ${name} and ${env:NAME} substitution on the YAML tree, before validation, so every value keeps its
// position. Variable defaults under `variables` are taken literally.
import { isMap, isScalar, isSeq, type Node, type Scalar } from 'yaml';
import type { VariableValue } from '../model/desired.js';
import type { IssueList } from './issues.js';
import type { YamlSource } from './read-yaml.js';

export interface InterpolateOptions {
  vars: Record<string, string>;
  env: NodeJS.ProcessEnv;
}

export interface Interpolated {
  variables: Record<string, VariableValue>;
  sensitiveValues: string[];
  /** Sorted `name=value` lines of every resolved value, for the config digest. */
  digestParts: string[];
  /** Scalars whose substitution failed: later stages stay quiet about them. */
  failed: Set<Node>;
  /** Quoted scalars that were substituted: "${port}" may stand where a number is expected. */
  substituted: Set<Node>;
  /** The whole text of each scalar a sensitive value went into, to mask what it is normalised to. */
  sensitiveScalars: string[];
}

interface Declared {
  default?: string;
  sensitive: boolean;
}

// The closing brace is optional so that a `${` with no `}` after it ends the scan at once: requiring it made
// every later `${` rescan to the end of the text (quadratic: a 1 MB value of `${${${...` never finished).
const REF = /\$\$\{|\$\{([^}]*)(\})?/g;
const EXPR = /^(env:)?([A-Za-z_][A-Za-z0-9_]*)(?::-(.*))?$/s;

/** A key's own value only: `constructor`, `toString` or `__proto__` must not resolve through the prototype. */
export function ownValue<T>(from: Readonly<Record<string, T>> | NodeJS.ProcessEnv, key: string): T | undefined {
  return Object.hasOwn(from, key) ? (from as Record<string, T>)[key] : undefined;
}

function declarations(src: YamlSource): Map<string, Declared> {
  const out = new Map<string, Declared>();
  let raw: Record<string, unknown>;
  try {
    raw = src.doc.toJS() as Record<string, unknown>;
  } catch {
    return out; // an alias bomb: load() reports it when it converts the document
  }
  const vars = raw?.variables;
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

/** After substitution an unquoted scalar takes the type its text has in YAML: `port: ${p}` is a number. */
function retype(text: string): string | number | boolean {
  if (/^[-+]?[0-9]+$/.test(text) || /^[-+]?(\.[0-9]+|[0-9]+\.[0-9]*)([eE][-+]?[0-9]+)?$/.test(text)) return Number(text);
  if (text === 'true') return true;
  if (text === 'false') return false;
  return text;
}

export function interpolate(src: YamlSource, opts: InterpolateOptions, issues: IssueList): Interpolated {
  const declared = declarations(src);
  // Null-prototype: a variable may be named like an Object.prototype member.
  const variables: Record<string, VariableValue> = Object.create(null) as Record<string, VariableValue>;
  const envUsed = new Map<string, string>();
  const failed = new Set<Node>();
  const substituted = new Set<Node>();
  const sensitiveScalars: string[] = [];

  const resolve = (name: string): string | undefined =>
    ownValue(opts.vars, name) ?? ownValue(opts.env, `MFILE_VAR_${name}`) ?? declared.get(name)?.default;

  for (const [name, d] of declared) {
    const value = resolve(name);
    if (value !== undefined) variables[name] = { value, sensitive: d.sensitive };
  }

  const substitute = (node: Scalar, text: string): void => {
    let ok = true;
    let changed = false;
    let secret = false;
    const out = text.replace(REF, (whole: string, expr: string | undefined, close: string | undefined) => {
      changed = true;
      if (whole === '$${') return '${';
      const fail = (message: string): string => {
        if (ok) issues.add(src.locator.issueAt(node, message));
        ok = false;
        return whole;
      };
      if (close === undefined || expr === undefined) return fail(`unterminated '\${' in '${text}': close it with '}', or write $\${ for a literal \${`);
      const m = EXPR.exec(expr);
      if (!m) return fail(`bad reference '${whole}': use \${name}, \${env:NAME} or $\${ for a literal \${`);
      const [, isEnv, name, fallback] = m;
      if (isEnv) {
        const value = ownValue(opts.env, name) ?? fallback;
        if (value === undefined) return fail(`environment variable '${name}' is not set (used as \${env:${name}})`);
        envUsed.set(name, value);
        return value;
      }
      const value = resolve(name) ?? fallback;
      if (value === undefined) {
        return fail(
          declared.has(name)
            ? `variable '${name}' has no value: pass --var ${name}=VALUE or set MFILE_VAR_${name}, or give it a default`
            : `undefined variable '${name}': declare it under variables, or pass --var ${name}=VALUE`,
        );
      }
      if (!Object.hasOwn(variables, name)) variables[name] = { value, sensitive: declared.get(name)?.sensitive ?? false };
      if (declared.get(name)?.sensitive) secret = true;
      return value;
    });
    if (!ok) {
      failed.add(node);
      return;
    }
    if (!changed) return;
    if (secret) sensitiveScalars.push(out);
    if (node.type === 'PLAIN') node.value = retype(out);
    else (node.value = out), substituted.add(node);
  };

  const walk = (node: unknown, top: boolean): void => {
    if (isMap(node)) {
      for (const pair of node.items) {
        if (top && isScalar(pair.key) && pair.key.value === 'variables') continue;
        walk(pair.value, false);
      }
    } else if (isSeq(node)) {
      for (const item of node.items) walk(item, false);
    } else if (isScalar(node) && typeof node.value === 'string' && node.value.includes('${')) {
      substitute(node, node.value);
    }
  };
  walk(src.doc.contents, true);

  const sensitiveValues = [
    ...new Set(Object.values(variables).filter((v) => v.sensitive && v.value !== '').map((v) => v.value)),
  ].sort();
  const digestParts = [
    ...Object.entries(variables).map(([k, v]) => `${k}=${v.value}`),
    ...[...envUsed].map(([k, v]) => `env:${k}=${v}`),
  ].sort();
  return { variables, sensitiveValues, digestParts, failed, substituted, sensitiveScalars };
}
