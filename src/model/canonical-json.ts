// Canonical JSON (keys sorted at every level, undefined dropped): stable hashes and digests across runs, for
// plan (config hashes) and state (saved plan digests) alike.

export function canonicalJson(value: unknown): string {
  if (value === undefined) return 'null';
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) {
    let s = '[';
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      s += (i ? ',' : '') + (v === undefined ? 'null' : v === null || typeof v !== 'object' ? JSON.stringify(v) : canonicalJson(v));
    }
    return `${s}]`;
  }
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj);
  // Hashing 10,000 containers: most maps are small and many already in order, so sort only when they are not.
  for (let i = 1; i < keys.length; i++) {
    if (keys[i - 1] > keys[i]) {
      keys.sort();
      break;
    }
  }
  let s = '{';
  let first = true;
  for (const k of keys) {
    const v = obj[k];
    if (v === undefined) continue;
    s += `${first ? '' : ','}${JSON.stringify(k)}:${v === null || typeof v !== 'object' ? JSON.stringify(v) : canonicalJson(v)}`;
    first = false;
  }
  return `${s}}`;
}
