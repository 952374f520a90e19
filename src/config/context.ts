// What the normalise and cross-check steps share: where to report, and how to resolve paths.
import { homedir } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import type { DriverCatalog } from '../model/index.js';
import type { IssueList } from './issues.js';
import type { Path } from './path-text.js';
import type { Placer } from './placer.js';
import type { Excluded } from './valid-parts.js';

export interface Context {
  locator: Placer;
  issues: IssueList;
  /** Folder of machines.yml: relative paths in it are relative to this. */
  configDir: string;
  env: NodeJS.ProcessEnv;
  project: string;
  /** The drivers of this run: machines name them, their traits say how the blocks are read. */
  drivers: DriverCatalog;
  /** Sensitive variable values: a string command keeps each one whole and literal (see command()). */
  sensitive?: readonly string[];
  /** After schema errors: entries left out of the checks, which references may still name. */
  excluded?: Excluded;
}

export function report(ctx: Context, path: Path, message: string, opts: { key?: boolean } = {}): void {
  ctx.issues.add(ctx.locator.issue(path, message, opts));
}

/** `~/x` -> home, `./x` -> beside machines.yml; absolute paths as they are. */
export function localPath(ctx: Context, p: string): string {
  if (p === '~' || p.startsWith('~/')) return resolve(ctx.env.HOME ?? homedir(), p.slice(2));
  return isAbsolute(p) ? p : resolve(ctx.configDir, p);
}

export type Raw = Record<string, unknown>;

export function obj(value: unknown): Raw {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Raw) : {};
}
