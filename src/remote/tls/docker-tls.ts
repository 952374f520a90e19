// A dockerode client for an engine serving mutual TLS, with the state folder's client certificate.
import { readFileSync } from 'node:fs';
import type Docker from 'dockerode';
import { dockerodeClass } from '../docker/client.js';
import { clientCertPaths } from './store.js';

export function createTlsDockerClient(stateDir: string, host: string, port: number): Docker {
  const p = clientCertPaths(stateDir);
  const Dockerode = dockerodeClass();
  return new Dockerode({
    protocol: 'https',
    host,
    port,
    ca: readFileSync(p.ca),
    cert: readFileSync(p.cert),
    key: readFileSync(p.key),
  });
}
