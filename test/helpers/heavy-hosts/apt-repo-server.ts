// The local apt repository (the cached docker.io .debs) served over HTTP on the bridge address only, by a
// busybox httpd started here and stopped by its pid.
import { join } from 'node:path';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { alive, startBackground, stopPid } from './processes.js';
import type { Teardown } from './teardown.js';

export const APT_PORT = 8214;

export async function serveAptRepo(t: Teardown, repoDir: string, ip: string, logDir: string, port = APT_PORT): Promise<string> {
  return serveFolder(t, repoDir, ip, port, join(logDir, 'apt-httpd.log'), 'apt repository server');
}

/** Any folder over HTTP (busybox httpd, which answers Range requests), e.g. a disk image to download. */
export async function serveFolder(t: Teardown, folder: string, ip: string, port: number, logFile: string, what: string): Promise<string> {
  const pid = startBackground(['busybox', 'httpd', '-f', '-vv', '-p', `${ip}:${port}`, '-h', folder], logFile);
  t.add(`${what} (pid ${pid})`, () => stopPid(pid));
  for (let i = 0; ; i++) {
    const up = await new Promise<boolean>((resolve) => {
      const s = connect({ host: ip, port });
      s.once('connect', () => (s.destroy(), resolve(true)));
      s.once('error', () => resolve(false));
    });
    if (up) break;
    if (!alive(pid) || i > 100) throw new Error(`busybox httpd did not listen on ${ip}:${port}; see ${logFile}`);
    await sleep(50);
  }
  return `http://${ip}:${port}`;
}
