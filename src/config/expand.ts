// Compose's variable syntax, for machines.yml and the project's .env: `$$` is a literal `$`; `$NAME` and `${NAME}`
// a value; `${NAME:-d}` / `${NAME-d}` a default (when unset or empty / when unset); `${NAME:?msg}` / `${NAME?msg}`
// an error; `${NAME:+alt}` / `${NAME+alt}` a replacement (when set and non-empty / when set). Defaults may nest.
// A `$` before anything else stays as written. One pass over the text: no rescans, so huge input stays linear.

/** How a name resolves: `env` is true for mfile's `${env:NAME}` form. `undefined` means unset. */
export type Lookup = (name: string, env: boolean) => string | undefined;

/** What a plain `$NAME` / `${NAME}` that is unset becomes: machines.yml refuses it, a .env takes ''. */
export type OnUnset = (name: string, env: boolean) => string;

const refuse: OnUnset = (name, env) => {
  throw new Unset(name, env);
};

/** A reference that cannot be expanded; the message is one line and holds no value. */
export class ExpandError extends Error {}

const NAME = /[A-Za-z_][A-Za-z0-9_]*/y;
const BRACED = /^(env:)?([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])(.*))?$/s;
// Deeper nesting than any real default; stops a crafted `${a:-${a:-...}}` from exhausting the stack.
const MAX_DEPTH = 16;

/** Index of the `}` closing a `${` whose body starts at `from`, or -1. */
function closing(text: string, from: number): number {
  let depth = 1;
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (c === '$' && text[i + 1] === '$') i++;
    else if (c === '$' && text[i + 1] === '{') depth++, i++;
    else if (c === '}' && --depth === 0) return i;
  }
  return -1;
}

export function expand(text: string, lookup: Lookup, unset: OnUnset = refuse, depth = 0): string {
  if (depth > MAX_DEPTH) throw new ExpandError(`defaults nested more than ${MAX_DEPTH} deep`);
  let out = '';
  let i = 0;
  for (;;) {
    const j = text.indexOf('$', i);
    if (j < 0) return out + text.slice(i);
    out += text.slice(i, j);
    const next = text[j + 1];
    if (next === '$') {
      out += '$';
      i = j + 2;
    } else if (next === '{') {
      const end = closing(text, j + 2);
      if (end < 0) throw new ExpandError(`unterminated '\${' in '${text}': close it with '}', or write $\${ for a literal \${`);
      out += braced(text.slice(j + 2, end), lookup, unset, depth);
      i = end + 1;
    } else {
      NAME.lastIndex = j + 1;
      const m = NAME.exec(text);
      if (m) {
        out += lookup(m[0], false) ?? unset(m[0], false);
        i = NAME.lastIndex;
      } else {
        out += '$';
        i = j + 1;
      }
    }
  }
}

function braced(expr: string, lookup: Lookup, unset: OnUnset, depth: number): string {
  const m = BRACED.exec(expr);
  if (!m) throw new ExpandError(`bad reference '\${${expr}}': use \${name}, \${name:-default}, \${env:NAME}, or $$ for a literal $`);
  const [, env, name, op, word] = m;
  const value = lookup(name, env !== undefined);
  const colon = op?.startsWith(':') ?? false;
  const present = value !== undefined && (!colon || value !== '');
  switch (op?.slice(-1)) {
    case '-':
      return present ? value! : expand(word, lookup, unset, depth + 1);
    case '+':
      return present ? expand(word, lookup, unset, depth + 1) : '';
    case '?':
      if (present) return value!;
      throw new ExpandError(`${env ? 'environment variable' : 'variable'} '${name}' is ${value === undefined ? 'not set' : 'empty'}: ${expand(word, lookup, unset, depth + 1) || 'a value is required'}`);
    default:
      return value ?? unset(name, env !== undefined);
  }
}

/** A plain reference to an unset name: the caller words the message (it knows where values come from). */
export class Unset extends ExpandError {
  constructor(
    readonly variable: string,
    readonly env: boolean,
  ) {
    super(`'${variable}' is not set`);
  }
}
