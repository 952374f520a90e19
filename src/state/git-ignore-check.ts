// .mfile holds state and private keys: say so when git would pick it up.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

function nearestExistingDir(dir: string): string {
  let d = path.resolve(dir);
  while (!fs.existsSync(d) && path.dirname(d) !== d) d = path.dirname(d);
  return d;
}

/** git check-ignore exit code: 0 ignored, 1 not ignored, anything else (no repo, no git, outside it) null. */
function checkIgnore(cwd: string, target: string): Promise<number | null> {
  return new Promise((resolve) => {
    execFile('git', ['-C', cwd, 'check-ignore', '-q', '--', target], { timeout: 10_000 }, (err) => {
      if (!err) return resolve(0);
      const code = (err as { code?: unknown }).code;
      resolve(typeof code === 'number' ? code : null);
    });
  });
}

/** A warning when `stateDir` is inside a git work tree and not ignored there; null otherwise (or without git). */
export async function warnIfNotIgnored(stateDir: string): Promise<string | null> {
  const abs = path.resolve(stateDir);
  const cwd = nearestExistingDir(path.dirname(abs));
  // The trailing slash lets a `.mfile/` pattern match before the folder exists.
  const code = await checkIgnore(cwd, abs + path.sep);
  if (code !== 1) return null;
  const name = path.basename(abs);
  return `${abs} is not ignored by git; it holds state and private keys: add "${name}/" to .gitignore`;
}
