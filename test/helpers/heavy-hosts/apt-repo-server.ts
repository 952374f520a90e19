// The local apt repository (the cached docker.io .debs) served over HTTP on the bridge address only, by a
// busybox httpd started here and stopped by its pid.
import { join } from 'node:path';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { alive, startBackground, stopPid } from './processes.js';
import type { Teardown } from './teardown.js';

export const APT_PORT = 8214;

export async function serveAptRepo(t: Teardown, repoDir: string, ip: string, logDir: string): Promise<string> {
  const pid = startBackground(['busybox', 'httpd', '-f', '-vv', '-p', `${ip}:${APT_PORT}`, '-h', repoDir], join(logDir, 'apt-httpd.log'));
  t.add(`apt repository server (pid ${pid})`, () => stopPid(pid));
  for (let i = 0; ; i++) {
    const up = await new Promise<boolean>((resolve) => {
      const s = connect({ host: ip, port: APT_PORT });
      s.once('connect', () => (s.destroy(), resolve(true)));
      s.once('error', () => resolve(false));
    });
    if (up) break;
    if (!alive(pid) || i > 100) throw new Error(`busybox httpd did not listen on ${ip}:${APT_PORT}; see ${logDir}/apt-httpd.log`);
    await sleep(50);
  }
  return `http://${ip}:${APT_PORT}`;
}
