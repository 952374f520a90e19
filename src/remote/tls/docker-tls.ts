// A dockerode client for an engine serving mutual TLS, with the state folder's client certificate.
import { readFileSync } from 'node:fs';
import Docker from 'dockerode';
import { clientCertPaths } from './store.js';

export function createTlsDockerClient(stateDir: string, host: string, port: number): Docker {
  const p = clientCertPaths(stateDir);
  return new Docker({
    protocol: 'https',
    host,
    port,
    ca: readFileSync(p.ca),
    cert: readFileSync(p.cert),
    key: readFileSync(p.key),
  });
}
