// /etc/os-release → which package tool installs Docker, or a refusal naming the system.

export interface OsInfo {
  id: string;
  idLike: string[];
  versionId: string;
  prettyName: string;
}

export type InstallMethod = 'apt' | 'fedora' | 'rhel' | 'amazon' | 'script';

export function parseOsRelease(text: string): OsInfo {
  const kv: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    if (m) kv[m[1]] = m[2].replace(/^["']|["']$/g, '');
  }
  return {
    id: (kv.ID ?? '').toLowerCase(),
    idLike: (kv.ID_LIKE ?? '').toLowerCase().split(/\s+/).filter(Boolean),
    versionId: kv.VERSION_ID ?? '',
    prettyName: kv.PRETTY_NAME ?? kv.NAME ?? 'an unknown system',
  };
}

/** How to install Docker on this system, or null when mfile does not know how. */
export function installMethod(os: OsInfo, hasInstallScript: boolean): InstallMethod | null {
  if (hasInstallScript) return 'script';
  const ids = [os.id, ...os.idLike];
  if (ids.some((i) => i === 'debian' || i === 'ubuntu')) return 'apt';
  if (os.id === 'fedora') return 'fedora';
  if (os.id === 'amzn') return 'amazon';
  if (ids.some((i) => ['rhel', 'centos', 'rocky', 'almalinux', 'ol', 'fedora'].includes(i))) return 'rhel';
  return null;
}
