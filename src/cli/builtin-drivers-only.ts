// A cheap look at machines.yml's text that proves every `driver:` it holds names a built-in driver, so that the
// plugin lookup need not parse the whole file a second time (on a 10,000-container file that parse was as long
// as the config reader's own). Anything it cannot prove, it leaves to the full parse: it may answer false for
// a file that only uses built-in drivers, never true for one that names a plugin.

/** A key `driver` (maybe quoted), a colon, then one plain or quoted word, ending where a scalar ends. */
const DRIVER_ENTRY = /^["']?[ \t]*:\s*(["']?)([A-Za-z0-9_-]+)\1(?=[\s,}\]#]|$)/;
const WORD_CHAR = /[A-Za-z0-9_-]/;

/**
 * True when every occurrence of the word `driver` in TEXT is a `driver: NAME` entry with NAME in BUILTIN and
 * the word `drivers` (the plugin map) does not occur. Escapes (a backslash anywhere) could spell either key
 * without those letters, so a text holding one is not proved.
 */
export function namesOnlyBuiltinDrivers(text: string, builtin: ReadonlySet<string>): boolean {
  if (text.includes('\\')) return false;
  for (let i = text.indexOf('driver'); i >= 0; i = text.indexOf('driver', i + 6)) {
    const before = i > 0 ? text[i - 1] : '';
    if (before && WORD_CHAR.test(before)) continue; // part of another word: log_driver, docker-machine-driver
    const after = text[i + 6] ?? '';
    if (after === 's' && !WORD_CHAR.test(text[i + 7] ?? '')) return false; // the `drivers:` map, or prose
    if (after && WORD_CHAR.test(after)) continue; // driver_opts, driverless
    const m = DRIVER_ENTRY.exec(text.slice(i + 6, i + 6 + 200));
    if (!m || !builtin.has(m[2])) return false;
  }
  return true;
}
