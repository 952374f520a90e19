// Arguments in OpenSSH config lines (sshd_config, ssh_config, `ssh -o`). Both programs split a line into words
// with argv_split: a double-quoted word may hold spaces, `#` and single quotes, and inside it only \\ and \"
// are escapes. Without quotes a path with a space becomes two words (two files, or a broken option).

/** One config argument, double-quoted so it reads back as exactly this string. */
export function sshConfigArg(value: string): string {
  // A config line ends at a line break, and a NUL ends the C string: neither can be carried.
  if (/[\n\r\0]/.test(value)) throw new Error(`an OpenSSH config value cannot hold a line break or NUL: ${JSON.stringify(value)}`);
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** A path for a client option that also expands %-tokens (UserKnownHostsFile, IdentityFile): % is doubled. */
export function sshConfigPath(path: string): string {
  return sshConfigArg(path.replace(/%/g, '%%'));
}
