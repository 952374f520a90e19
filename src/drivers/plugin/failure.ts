// A plugin call that failed, said in one line: which plugin, which operation, what happened.
import { basename } from 'node:path';

/** At most this many characters of anything a plugin wrote end up in a message. */
const MAX_DETAIL = 300;

export function oneLine(text: string, max = MAX_DETAIL): string {
  const flat = text.replace(/\s*[\r\n]+\s*/g, ' | ').replace(/[\x00-\x08\x0b-\x1f\x7f]/g, '?').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

export class PluginFailure extends Error {
  constructor(
    readonly plugin: string,
    readonly method: string,
    /** Already includes the ": " or " " that joins it to the method. */
    readonly detail: string,
    /** The JSON-RPC error code when the plugin answered with an error. */
    readonly code?: number,
  ) {
    super(`driver plugin ${basename(plugin)}: ${method}${detail}`);
    this.name = 'PluginFailure';
  }
}
