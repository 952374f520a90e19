// Masking: any string equal to or containing a sensitive value is shown as "(sensitive)".

export const MASKED = '(sensitive)';

/**
 * `value` with every string that contains a sensitive value replaced by "(sensitive)". The input is never
 * modified; parts without a secret are shared with it, not copied.
 */
export function mask(value: unknown, sensitiveValues: readonly string[]): unknown {
  // An empty secret would be "contained" in every string.
  const secrets = sensitiveValues.filter((s) => s.length > 0);
  if (secrets.length === 0) return value;
  return maskWith(value, secrets);
}

// Returns the input itself when nothing in it needs masking, so large plans share structure instead of copying.
function maskWith(value: unknown, secrets: readonly string[]): unknown {
  if (typeof value === 'string') {
    for (const s of secrets) if (value.includes(s)) return MASKED;
    return value;
  }
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const m = maskWith(value[i], secrets);
      if (m !== value[i]) (out ??= value.slice())[i] = m;
    }
    return out ?? value;
  }
  const obj = value as Record<string, unknown>;
  let out: Record<string, unknown> | undefined;
  const keys = Object.keys(obj);
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i];
    const m = maskWith(obj[k], secrets);
    if (m !== obj[k]) (out ??= { ...obj })[k] = m;
  }
  return out ?? value;
}

/** mask() for attribute maps, keeping the type. */
export function maskRecord(value: Record<string, unknown>, sensitiveValues: readonly string[]): Record<string, unknown> {
  return mask(value, sensitiveValues) as Record<string, unknown>;
}

/**
 * False when no string inside the value whose JSON is `json` can contain a sensitive value (a cheap pre-check).
 * Secrets are searched in their JSON-escaped form, since that is how they appear inside JSON strings.
 */
export function jsonMayHoldSensitive(json: string, sensitiveValues: readonly string[]): boolean {
  for (const s of sensitiveValues) if (s.length > 0 && json.includes(JSON.stringify(s).slice(1, -1))) return true;
  return false;
}
