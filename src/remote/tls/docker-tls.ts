// A dockerode client for an engine serving mutual TLS, with the state folder's client certificate.
import type Docker from 'dockerode';
import { dockerClient } from '../docker/client.js';
import { clientCertPaths } from './store.js';

export function createTlsDockerClient(stateDir: string, host: string, port: number): Docker {
  return dockerClient({ kind: 'tcp', host, port, tls: clientCertPaths(stateDir) });
}
