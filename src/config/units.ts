// Compose's value formats: durations, sizes, octal modes, shell-like command strings, list-or-map fields.

const NS: Record<string, number> = { ns: 1, us: 1e3, µs: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };

/** "1m30s" -> 90e9 nanoseconds; undefined when it is not a duration. */
export function parseDuration(text: string): number | undefined {
  if (text === '0') return 0;
  const re = /([0-9]+(?:\.[0-9]+)?)(ns|us|µs|ms|s|m|h)/y;
  let total = 0;
  let at = 0;
  while (at < text.length) {
    re.lastIndex = at;
    const m = re.exec(text);
    if (!m) return undefined;
    total += Number(m[1]) * NS[m[2]];
    at = re.lastIndex;
  }
  return text.length ? Math.round(total) : undefined;
}

const POW: Record<string, number> = { '': 0, b: 0, k: 1, m: 2, g: 3, t: 4 };

/** 1024, "1024", "256m", "1g", "1.5GiB" -> bytes (powers of 1024, as docker does); undefined when not a size. */
export function parseSize(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) && value >= 0 ? value : undefined;
  const m = /^([0-9]+(?:\.[0-9]+)?) ?(?:([kKmMgGtT])[iI]?[bB]?|[bB])?$/.exec(value);
  if (!m) return undefined;
  return Math.round(Number(m[1]) * 1024 ** POW[(m[2] ?? '').toLowerCase()]);
}

/** 0440 (already read as octal by read-yaml), "0440", "440" -> 288. */
export function parseMode(value: string | number): number {
  return typeof value === 'number' ? value : parseInt(value, 8);
}

/** Splits a command string the way Compose does (shell quoting rules, no expansion). */
export function shellSplit(text: string): string[] | undefined {
  const out: string[] = [];
  let cur = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quote === "'") {
      if (ch === "'") quote = undefined;
      else cur += ch;
    } else if (quote === '"') {
      if (ch === '"') quote = undefined;
      else if (ch === '\\' && i + 1 < text.length && '"\\$`\n'.includes(text[i + 1])) cur += text[++i];
      else cur += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      inWord = true;
    } else if (ch === '\\' && i + 1 < text.length) {
      cur += text[++i];
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) out.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += ch;
      inWord = true;
    }
  }
  if (quote) return undefined;
  if (inWord) out.push(cur);
  return out;
}

/** Values of a Compose map as strings (numbers and booleans as written). */
export function stringMap(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!value || typeof value !== 'object') return out;
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) if (v !== null && v !== undefined) out[k] = String(v);
  return out;
}

/**
 * A Compose "list or dict": ["A=1", "B"] or {A: 1, B: null}. `missing(key)` supplies the value of a bare
 * key (environment takes it from the shell); when it returns undefined the key is left out.
 */
export function listOrDict(value: unknown, missing: (key: string) => string | undefined = () => ''): Record<string, string> {
  const out: Record<string, string> = {};
  if (Array.isArray(value)) {
    for (const item of value as string[]) {
      const eq = item.indexOf('=');
      const key = eq < 0 ? item : item.slice(0, eq);
      const v = eq < 0 ? missing(key) : item.slice(eq + 1);
      if (v !== undefined) out[key] = v;
    }
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      const s = v === null || v === undefined ? missing(k) : String(v);
      if (s !== undefined) out[k] = s;
    }
  }
  return out;
}

export function toList(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value.map(String) : [String(value)];
}
