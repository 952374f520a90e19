// .env contents, as Compose reads them: `KEY=value` lines, an optional `export ` in front, `# comments`.
// Unquoted values are trimmed and end at ` #`; 'single quotes' are literal (\' is a quote); "double quotes" take
// \n \r \t \" \\ \$ escapes, may span lines and end at the closing quote (a comment may follow it).
// With a lookup (the project's .env), unquoted and double-quoted values expand $NAME / ${NAME...} from the
// lines above and the lookup; an unset name becomes '' as in Compose.
import { expand, ExpandError, type Lookup } from './expand.js';
import { RESERVED_KEY } from './reserved-keys.js';

export interface ParsedEnvFile {
  vars: Record<string, string>;
  /** Line numbers that are not `KEY=value` (numbers only: the line may hold a secret). */
  bad: number[];
  reserved: number[];
  /** Values whose ${NAME:?msg} failed, by line. */
  errors: { line: number; message: string }[];
}

const ENTRY = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*(?:=\s*([\s\S]*))?$/;
const ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t' };

export function parseEnvFile(text: string, lookup?: Lookup): ParsedEnvFile {
  const out: ParsedEnvFile = { vars: {}, bad: [], reserved: [], errors: [] };
  const lines = text.split(/\r?\n/);
  // Earlier lines first, then the caller's sources (Compose's order inside a .env).
  const inner: Lookup | undefined = lookup && ((name, env) => (env ? undefined : (Object.hasOwn(out.vars, name) ? out.vars[name] : undefined)) ?? lookup(name, env));
  const interp = (v: string, line: number): string => {
    if (!inner) return v;
    try {
      return expand(v, inner, () => '');
    } catch (err) {
      if (!(err instanceof ExpandError)) throw err;
      out.errors.push({ line, message: err.message });
      return '';
    }
  };
  for (let i = 0; i < lines.length; i++) {
    const start = i + 1;
    const line = lines[i].trim();
    if (!line || line.startsWith('#')) continue;
    const m = ENTRY.exec(line);
    if (!m) {
      out.bad.push(start);
      continue;
    }
    const [, key, raw] = m;
    if (key === RESERVED_KEY) {
      out.reserved.push(start);
      continue;
    }
    if (raw === undefined) continue; // a bare KEY takes its value from the shell in Compose; mfile leaves it out
    let value: string | undefined;
    if (raw.startsWith("'")) {
      const q = closingQuote(raw, "'");
      if (q >= 0 && isTail(raw.slice(q + 1))) value = raw.slice(1, q).replace(/\\'/g, "'");
    } else if (raw.startsWith('"')) {
      // A double-quoted value may go on over the next lines until its closing quote.
      let body = raw;
      let q = closingQuote(body, '"');
      while (q < 0 && i + 1 < lines.length) body += '\n' + lines[++i], (q = closingQuote(body, '"'));
      if (q >= 0 && isTail(body.slice(q + 1))) value = interp(unescape(body.slice(1, q), inner !== undefined), start);
    } else {
      value = interp(raw.replace(/\s+#.*$/s, '').trim(), start);
    }
    if (value === undefined) out.bad.push(start);
    else out.vars[key] = value;
  }
  return out;
}

/** Index of the quote closing one opened at 0 (a backslash escapes the next character), or -1. */
function closingQuote(s: string, quote: string): number {
  for (let i = 1; i < s.length; i++) {
    if (s[i] === '\\') i++;
    else if (s[i] === quote) return i;
  }
  return -1;
}

/** After a closing quote: nothing, or a comment. */
const isTail = (rest: string): boolean => /^\s*(#.*)?$/s.test(rest);

/** `\$` stays a literal `$` through the expansion that follows, as `$$`. */
function unescape(v: string, expanding: boolean): string {
  return v.replace(/\\([nrt"\\$])/g, (_, c: string) => ESCAPES[c] ?? (c === '$' && expanding ? '$$' : c));
}
