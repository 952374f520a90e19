// `--target` matching of addresses.
// The vocabulary lives in model/ (remote, apply and state use it too); re-exported for the planner's callers.
export { parseAddress, type ParsedAddress } from '../model/names.js';
export { machineAddress, objectAddress, type ObjectNodeKind } from '../model/addresses.js';
export { LABEL_CONFIG_HASH, LABEL_MACHINE, LABEL_NAME, LABEL_PROJECT, mfileLabels } from '../model/labels.js';
export { containerEngineName, engineName } from '../model/engine-names.js';

/**
 * A `--target` matcher. `*` matches any run of characters; everything else is literal.
 * A target without `[MACHINE]` for an object kind (`container.web`) matches that object on every machine.
 */
export function targetMatcher(pattern: string): (address: string) => boolean {
  const re = new RegExp(`^${globToRegex(pattern)}$`);
  const bare = /^(container|network|volume|image)\.[^[\]]+$/.test(pattern)
    ? new RegExp(`^${globToRegex(pattern)}\\[[^\\]]+\\]$`)
    : null;
  return (address: string) => re.test(address) || (bare !== null && bare.test(address));
}

function globToRegex(glob: string): string {
  return glob
    .split('*')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'))
    .join('.*');
}
