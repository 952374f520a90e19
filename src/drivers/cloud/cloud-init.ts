// The cloud-init user data a cloud server boots with, unless the block gives its own: no password logins, so the
// uploaded key is the only way in. mfile installs Docker over SSH afterwards, as on any server.
export const DEFAULT_USER_DATA = ['#cloud-config', 'ssh_pwauth: false', 'disable_root: false', ''].join('\n');

export function userDataOf(value: unknown): string {
  return typeof value === 'string' && value.trim() !== '' ? value : DEFAULT_USER_DATA;
}
