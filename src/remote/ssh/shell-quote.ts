// The one place where argv arrays become a remote shell command line. SSH exec takes a single string that the
// remote login shell parses, so every word is quoted here and nowhere else.

/** Words made only of these characters need no quoting in a POSIX shell. */
const SAFE = /^[A-Za-z0-9_\/.,:=@%+-]+$/;

/** Quote one word so a POSIX shell reads it back literally ($(...), backticks, ;, newlines, quotes included). */
export function quoteArg(word: string): string {
  if (word === '') return "''";
  if (SAFE.test(word)) return word;
  // Inside single quotes nothing is special except the closing quote itself: end, escape it, reopen.
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** Join an argv array into one shell command line. */
export function quoteArgv(argv: readonly string[]): string {
  if (argv.length === 0) throw new Error('quoteArgv: empty argv');
  return argv.map(quoteArg).join(' ');
}
