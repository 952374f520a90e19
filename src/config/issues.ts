// Collects every problem found in machines.yml so they are reported together, in file order.
import { ConfigError, type ConfigIssue } from '../errors.js';
import { terminalLine } from '../terminal-text.js';

/** Longest message kept whole; longer ones (a 1 MB value quoted back) keep their start and end. */
const MAX_MESSAGE = 400;

/**
 * One printable line: a value quoted back from the file may hold newlines or control characters (which
 * would break the `FILE:LINE:COL: message` format or the terminal), or be megabytes long.
 */
export function oneLine(message: string): string {
  const flat = terminalLine(message);
  if (flat.length <= MAX_MESSAGE) return flat;
  const half = MAX_MESSAGE / 2;
  return `${flat.slice(0, half)}…(${flat.length - 2 * half} characters left out)…${flat.slice(-half)}`;
}

export class IssueList {
  private readonly items: ConfigIssue[] = [];
  private readonly seen = new Set<string>();
  private masked: string[] = [];

  add(issue: ConfigIssue): void {
    const message = oneLine(this.masked.reduce((m, v) => m.split(v).join('(sensitive)'), issue.message));
    const key = `${issue.line}:${issue.col}:${message}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.items.push({ ...issue, message });
  }

  /** Sensitive variable values: a later message quoting a substituted value shows (sensitive) instead. */
  maskValues(values: string[]): void {
    // Longest first, so a secret that contains another is replaced whole.
    this.masked = values.filter((v) => v !== '').sort((a, b) => b.length - a.length);
  }

  get size(): number {
    return this.items.length;
  }

  sorted(): ConfigIssue[] {
    return [...this.items].sort((a, b) => a.line - b.line || a.col - b.col || a.message.localeCompare(b.message));
  }

  /** One ConfigError holding every issue (call only when there is one). */
  error(): ConfigError {
    return new ConfigError(this.sorted());
  }

  /** Throws one ConfigError holding every issue, if there is any. */
  throwIfAny(): void {
    if (this.items.length) throw new ConfigError(this.sorted());
  }
}
