// Collects every problem found in machines.yml so they are reported together, in file order.
import { ConfigError, type ConfigIssue } from '../errors.js';

export class IssueList {
  private readonly items: ConfigIssue[] = [];

  add(issue: ConfigIssue): void {
    const dup = this.items.some(
      (i) => i.line === issue.line && i.col === issue.col && i.message === issue.message,
    );
    if (!dup) this.items.push(issue);
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
