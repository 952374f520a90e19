// The one top-level catch: every error becomes a short message on stderr and an exit code.
import { ConfigError, MfileError, formatConfigIssue } from '../errors.js';
import { terminalLine } from '../terminal-text.js';
import { maskText } from '../masking.js';

/**
 * Each report is one line: a message quoting a remote's stderr or a file's text may hold line breaks. Masked
 * first, while a sensitive value still has the form it was given in.
 */
function flat(text: string): string {
  return terminalLine(maskText(text).replace(/\s*[\r\n\u0085\u2028\u2029]+\s*/g, ' | '));
}

export function reportError(err: unknown, write: (line: string) => void = (l) => process.stderr.write(l + '\n')): number {
  if (err instanceof ConfigError) {
    for (const issue of err.issues) write(flat(formatConfigIssue(issue)));
    return err.exitCode;
  }
  if (err instanceof MfileError) {
    write(`Error: ${flat(err.message)}`);
    return err.exitCode;
  }
  const e = err as { code?: string; message?: string; stack?: string };
  if (e && typeof e.code === 'string' && e.code.startsWith('commander.')) return 1;
  write(`Error: internal error: ${flat(e?.message ?? String(err))} (this is a bug in mfile; please report it with MFILE_DEBUG=1 output)`);
  if (process.env.MFILE_DEBUG) write(maskText(String(e?.stack ?? '')));
  return 1;
}
