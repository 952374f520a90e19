// Terraform spells its flags with one dash (`-replace=ADDR`, `-refresh-only`); plan and apply take those
// spellings too, as the two-dash options they stand for.
const SINGLE_DASH = new Set(['-replace', '-refresh-only']);
const VERBS = new Set(['plan', 'apply']);

export function terraformSpellings(argv: string[]): string[] {
  if (!VERBS.has(argv[2] ?? '')) return argv;
  const end = argv.indexOf('--');
  return argv.map((a, i) => {
    if (i < 3 || (end !== -1 && i > end)) return a;
    const name = a.split('=', 1)[0];
    return SINGLE_DASH.has(name) ? `-${a}` : a;
  });
}
