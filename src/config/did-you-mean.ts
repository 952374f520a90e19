// "did you mean ...?" for a mistyped key, enum value or name: the nearest candidate by edit distance.

function levenshtein(a: string, b: string): number {
  const d = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = d[0];
    d[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = d[j];
      d[j] = Math.min(d[j] + 1, d[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return d[b.length];
}

/** The candidate at most two edits from `word` (case ignored), nearest first; undefined when none is. */
export function nearest(word: string, candidates: Iterable<string>): string | undefined {
  // A very long value is no typo of a short name; skip the quadratic distance for it.
  if (word.length > 200) return undefined;
  let best: string | undefined;
  let bestD = 3;
  for (const c of candidates) {
    if (c === word) continue;
    const dist = levenshtein(word.toLowerCase(), c.toLowerCase());
    if (dist < bestD) (best = c), (bestD = dist);
  }
  return best;
}

/** ` (did you mean 'x'?)`, or '' when nothing is near. */
export function didYouMean(word: string, candidates: Iterable<string>): string {
  const best = nearest(word, candidates);
  return best === undefined ? '' : ` (did you mean '${best}'?)`;
}
