// Parse the one-round-trip facts output (factsCommand) into what provisioning decides on.
import { FACTS_MARK } from './commands.js';
import { parseOsRelease, type OsInfo } from './os-release.js';

export interface HostFacts {
  os: OsInfo;
  /** Absolute path of dockerd, or '' when Docker is not installed. */
  dockerd: string;
  systemd: boolean;
  /** engine.hash marker content ('' when provisioning never completed here). */
  hash: string;
  /** sha256 of the uploaded ca.pem + server.pem. */
  certsum: string;
  dropin: boolean;
  running: boolean;
  /** dockerd's pid (hosts without systemd). */
  pid?: number;
  packageTools: string[];
  hostname: string;
}

export function parseFacts(stdout: string): HostFacts {
  const at = stdout.indexOf(FACTS_MARK);
  const osText = at >= 0 ? stdout.slice(0, at) : '';
  const kv: Record<string, string> = {};
  for (const line of (at >= 0 ? stdout.slice(at + FACTS_MARK.length) : stdout).split('\n')) {
    const i = line.indexOf('=');
    if (i > 0) kv[line.slice(0, i).trim()] = line.slice(i + 1).trim();
  }
  return {
    os: parseOsRelease(osText),
    dockerd: kv.dockerd ?? '',
    systemd: kv.systemd === '1',
    hash: kv.hash ?? '',
    certsum: kv.certsum ?? '',
    dropin: kv.dropin === '1',
    running: kv.running === '1',
    pid: kv.pid ? Number(kv.pid) : undefined,
    packageTools: ['apt-get', 'dnf', 'yum'].filter((m) => kv[`pkg_${m}`] === '1'),
    hostname: kv.hostname ?? '',
  };
}
