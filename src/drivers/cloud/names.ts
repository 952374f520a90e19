// The name a machine's cloud objects (server, key, firewall) carry: unique per cloud account and a valid host
// name, so the project and machine, folded to [a-z0-9-].
export function resourceName(project: string, machine: string): string {
  const s = `${project}-${machine}`.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '');
  return s.slice(0, 63).replace(/-+$/, '') || 'mfile';
}
