// The one masking point, a leaf that plan, apply and the CLI's edges share: every channel (plan text and JSON,
// plan files, state, progress events, errors, logs) passes what it shows through a Masker built from the
// sensitive values. A value is looked for in every form it can take on the way out: as it is, JSON-escaped (once
// and twice: JSON inside a JSON string), shell-quoted, and with control characters escaped the way one-line
// messages show them.

export const MASKED = '(sensitive)';

/** What is secret: the values, and the numbers they became (`cpu_shares: ${n}`, `stop_grace_period: ${d}`). */
export interface SensitiveSet {
  values: readonly string[];
  /** Numbers normalised from scalars that held a sensitive value (sizes in bytes, durations in ns...). */
  numbers?: readonly number[];
}

const jsonInner = (s: string): string => JSON.stringify(s).slice(1, -1);

/** How oneLine() and the CLI's one-line reports show control characters. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const escapeControls = (s: string): string =>
  s.replace(CONTROL, (c) => (c === '\n' ? '\\n' : c === '\t' ? '\\t' : c === '\r' ? '\\r' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));

/** Every form of one value that output can hold, longest first. */
export function sensitiveForms(value: string): string[] {
  const forms = new Set<string>([
    value,
    jsonInner(value),
    jsonInner(jsonInner(value)),
    // Inside '...' a quote is written '\'' (shell-quote.ts, and what a user pastes into a shell).
    value.replace(/'/g, `'\\''`),
    // Inside "..." for a shell: backslash, quote, dollar and backtick are escaped.
    value.replace(/[\\"$`]/g, '\\$&'),
    escapeControls(value),
  ]);
  forms.delete('');
  return [...forms];
}

export class Masker {
  /** Text forms, longest first, so a value that holds another is replaced whole. */
  private readonly forms: string[];
  private readonly numbers: ReadonlySet<number>;

  /** The forms as JSON writes them inside a string; undefined when a form holds a surrogate (see mayHoldInJson). */
  private readonly jsonForms?: string[];

  constructor(set: SensitiveSet) {
    const values = set.values.filter((v) => v.length > 0);
    const numbers = new Set<number>(set.numbers ?? []);
    for (const v of values) if (v.trim() !== '' && Number.isFinite(Number(v))) numbers.add(Number(v));
    this.numbers = numbers;
    const forms = new Set<string>();
    for (const v of values) for (const f of sensitiveForms(v)) forms.add(f);
    // A number a value became (bytes, ns) is masked in data, not in text: short numbers are everywhere in text.
    this.forms = [...forms].sort((a, b) => b.length - a.length);
    // JSON escapes each code unit on its own except surrogates (a pair stays, a lone one is escaped).
    if (!this.forms.some((f) => /[\ud800-\udfff]/.test(f))) this.jsonForms = this.forms.map(jsonInner);
  }

  /**
   * False only when value() returns unchanged every value whose JSON text is `json`: no sensitive number, and no
   * form of a sensitive value in the text as JSON escapes it. A cheap test that spares the deep walk.
   */
  mayHoldInJson(json: string): boolean {
    if (this.numbers.size > 0 || this.jsonForms === undefined) return !this.empty;
    for (const f of this.jsonForms) if (json.includes(f)) return true;
    return false;
  }

  get empty(): boolean {
    return this.forms.length === 0;
  }

  /** True when a form holds a newline: only then can text() on separate lines differ from text() on them joined. */
  get spansLines(): boolean {
    return this.forms.some((f) => f.includes('\n'));
  }

  /** Text with every occurrence of a sensitive value, in any of its forms, replaced by (sensitive). */
  text(text: string): string {
    let out = text;
    for (const f of this.forms) if (out.includes(f)) out = out.split(f).join(MASKED);
    return out;
  }

  /** True when the text holds a sensitive value in one of its forms. */
  holds(text: string): boolean {
    for (const f of this.forms) if (text.includes(f)) return true;
    return false;
  }

  /**
   * `value` with every string that holds a sensitive value, and every number a sensitive value became, replaced
   * by "(sensitive)". The input is never modified; parts without a secret are shared with it, not copied.
   */
  value<T>(value: T): T {
    return this.empty ? value : (this.walk(value) as T);
  }

  private walk(value: unknown): unknown {
    if (typeof value === 'string') return this.holds(value) ? MASKED : value;
    if (typeof value === 'number') return this.numbers.has(value) ? MASKED : value;
    if (value === null || typeof value !== 'object') return value;
    if (Array.isArray(value)) {
      let out: unknown[] | undefined;
      for (let i = 0; i < value.length; i++) {
        const m = this.walk(value[i]);
        if (m !== value[i]) (out ??= value.slice())[i] = m;
      }
      return out ?? value;
    }
    const obj = value as Record<string, unknown>;
    let out: Record<string, unknown> | undefined;
    for (const k of Object.keys(obj)) {
      const m = this.walk(obj[k]);
      if (m !== obj[k]) (out ??= { ...obj })[k] = m;
    }
    return out ?? value;
  }
}

/** mask() on a Masker made for one call; callers that mask often keep a Masker. */
export function mask(value: unknown, sensitiveValues: readonly string[], numbers: readonly number[] = []): unknown {
  return new Masker({ values: sensitiveValues, numbers }).value(value);
}

/** mask() for attribute maps, keeping the type. */
export function maskRecord(value: Record<string, unknown>, sensitiveValues: readonly string[]): Record<string, unknown> {
  return mask(value, sensitiveValues) as Record<string, unknown>;
}

/**
 * False when no string inside the value whose JSON is `json` can contain a sensitive value (a cheap pre-check).
 * Secrets are searched in their JSON-escaped form, since that is how they appear inside JSON strings.
 */
export function jsonMayHoldSensitive(json: string, sensitiveValues: readonly string[]): boolean {
  for (const s of sensitiveValues) if (s.length > 0 && json.includes(jsonInner(s))) return true;
  return false;
}

// ---------------------------------------------------------------- the process's masker

let registered: { values: string[]; numbers: number[] } = { values: [], numbers: [] };
let processMasker = new Masker({ values: [] });

/**
 * Adds values to the process-wide masker that the CLI's edges (the top-level catch, progress renderers, stdout
 * and stderr lines) pass their text through. Set when a config is loaded; values only ever add up.
 */
export function registerSensitive(set: SensitiveSet): Masker {
  const values = [...new Set([...registered.values, ...set.values])];
  const numbers = [...new Set([...registered.numbers, ...(set.numbers ?? [])])];
  registered = { values, numbers };
  processMasker = new Masker(registered);
  return processMasker;
}

/** The process-wide masker (empty until a config with sensitive values is loaded). */
export function sensitiveMasker(): Masker {
  return processMasker;
}

/** Shorthand: text through the process-wide masker. */
export function maskText(text: string): string {
  return processMasker.text(text);
}
