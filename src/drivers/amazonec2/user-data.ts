// Cloud-init user data: the machine's key for the image's default user (also on images that ignore the key
// pair) and no password logins. Docker itself is installed over SSH by the usual provisioning.
export function userData(publicKey: string): string {
  const doc = ['#cloud-config', 'ssh_pwauth: false', 'ssh_authorized_keys:', `  - ${JSON.stringify(publicKey)}`, ''].join('\n');
  return Buffer.from(doc, 'utf8').toString('base64');
}
