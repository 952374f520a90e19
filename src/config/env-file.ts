// env_file contents: KEY=value lines, as Compose reads them.
import { RESERVED_KEY } from './reserved-keys.js';

/** Parses a .env file; lines are `KEY=value`, `export KEY=value`, `# comment` or blank. */
export function parseEnvFile(text: string): { vars: Record<string, string>; bad: number[]; reserved: number[] } {
  const vars: Record<string, string> = {};
  const bad: number[] = [];
  const reserved: number[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*(?:=\s*(.*))?$/.exec(line);
    if (!m) {
      bad.push(i + 1);
      return;
    }
    if (m[1] === RESERVED_KEY) {
      reserved.push(i + 1);
      return;
    }
    if (m[2] === undefined) return; // a bare KEY takes its value from the shell in Compose; mfile leaves it out
    vars[m[1]] = unquote(m[2]);
  });
  return { vars, bad, reserved };
}

function unquote(v: string): string {
  if (v.length >= 2 && v.startsWith("'") && v.endsWith("'")) return v.slice(1, -1);
  if (v.length >= 2 && v.startsWith('"') && v.endsWith('"'))
    return v.slice(1, -1).replace(/\\([nrt"\\])/g, (_, c: string) => ({ n: '\n', r: '\r', t: '\t' })[c] ?? c);
  return v.replace(/\s+#.*$/, ''); // unquoted: an inline comment ends the value
}
