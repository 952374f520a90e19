// With --json, errors in machines.yml go to stdout as one JSON object, the same for validate, plan and apply,
// so a script reads one shape whichever verb it ran.
import { ConfigError } from '../errors.js';
import { out } from './common.js';

/** `{"valid":false,"errors":[{file,line,col,message}, ...]}` on stdout and exit code 1; false for any other error. */
export function printConfigErrorsJson(err: unknown): boolean {
  if (!(err instanceof ConfigError)) return false;
  out(JSON.stringify({ valid: false, errors: err.issues }));
  process.exitCode = err.exitCode;
  return true;
}

/** Runs `load`; with --json a ConfigError is printed as JSON and undefined returned (the verb then stops). */
export async function loadOrPrintJson<T>(json: boolean | undefined, load: () => Promise<T>): Promise<T | undefined> {
  try {
    return await load();
  } catch (err) {
    if (json && printConfigErrorsJson(err)) return undefined;
    throw err;
  }
}
