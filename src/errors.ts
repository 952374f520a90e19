// Named errors. The CLI's one top-level catch maps each to a message and an exit code.

export abstract class MfileError extends Error {
  abstract readonly exitCode: number;
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

export interface ConfigIssue {
  file: string;
  line: number;
  col: number;
  message: string;
}

export function formatConfigIssue(i: ConfigIssue): string {
  return `${i.file}:${i.line}:${i.col}: ${i.message}`;
}

/** One or more problems in machines.yml, each with a position. All are reported at once. */
export class ConfigError extends MfileError {
  readonly exitCode = 1;
  constructor(readonly issues: ConfigIssue[]) {
    super(issues.map(formatConfigIssue).join('\n'));
  }
}

/** Bad command-line use (unknown machine name, bad flag value). */
export class UsageError extends MfileError {
  readonly exitCode = 1;
}

export class LockError extends MfileError {
  readonly exitCode = 1;
}

/** A state file that cannot be read safely (bad JSON, newer format). Never overwritten. */
export class StateError extends MfileError {
  readonly exitCode = 1;
}

export class StalePlanError extends MfileError {
  readonly exitCode = 1;
}

/** A remote command failed: carries the command, its exit code and the tail of stderr. */
export class RemoteCommandError extends MfileError {
  readonly exitCode = 1;
  constructor(
    readonly machine: string,
    readonly command: string,
    readonly code: number | null,
    readonly stderrTail: string,
  ) {
    super(
      `${machine}: command failed (exit ${code ?? 'signal'}): ${command}` +
        (stderrTail ? `: ${stderrTail.trim().split('\n').slice(-3).join(' | ')}` : ''),
    );
  }
}

/** A driver or transport failure on a machine (SSH refused, host key changed, engine unreachable). */
export class DriverError extends MfileError {
  readonly exitCode = 1;
  constructor(
    readonly machine: string,
    message: string,
  ) {
    super(`${machine}: ${message}`);
  }
}

/** Apply finished with failures; the summary was already printed. */
export class ApplyFailedError extends MfileError {
  readonly exitCode = 1;
}

export class InterruptedError extends MfileError {
  readonly exitCode = 130;
}

/** A folder or file mfile would write a secret into is a symlink, someone else's, or open to others. */
export class UnsafePathError extends MfileError {
  readonly exitCode = 1;
}

/**
 * A rolling update (deploy.update_config) whose new container did not become healthy on a machine: it names the
 * container, the machine, why, and what became of the previous container and of the update.
 */
export class RollingUpdateError extends MfileError {
  readonly exitCode = 1;
  constructor(
    readonly container: string,
    readonly machine: string,
    cause: string,
    outcome: string,
  ) {
    super(`rolling update of container ${container} failed on machine ${machine}: ${cause}; ${outcome}`);
  }
}
