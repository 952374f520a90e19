// /etc/docker/daemon.json from the engine spec. The free `engine.daemon` map goes first; the typed fields and
// mfile's own listeners win over it, so a stray `hosts` in the map cannot lock mfile out.
import type { MachineSpec } from '../../model/index.js';
import { DOCKER_SOCKET, REMOTE_CA, REMOTE_CERT, REMOTE_KEY } from './paths.js';

export function daemonJson(machine: MachineSpec): Record<string, unknown> {
  const e = machine.engine;
  const out: Record<string, unknown> = { ...e.daemon };
  const labels = Object.keys(e.labels)
    .sort()
    .map((k) => `${k}=${e.labels[k]}`);
  if (labels.length) out.labels = labels;
  if (e.registryMirrors.length) out['registry-mirrors'] = e.registryMirrors;
  if (e.insecureRegistries.length) out['insecure-registries'] = e.insecureRegistries;
  if (e.storageDriver) out['storage-driver'] = e.storageDriver;
  if (e.logDriver) out['log-driver'] = e.logDriver;
  if (Object.keys(e.logOpts).length) out['log-opts'] = e.logOpts;
  out.hosts = [`unix://${DOCKER_SOCKET}`];
  if (e.transport === 'tcp') {
    // engine.transport ssh opens no TCP port at all: the API is only reachable through SSH.
    out.hosts = [`unix://${DOCKER_SOCKET}`, `tcp://0.0.0.0:${e.port}`];
    Object.assign(out, { tls: true, tlsverify: true, tlscacert: REMOTE_CA, tlscert: REMOTE_CERT, tlskey: REMOTE_KEY });
  } else {
    for (const k of ['tls', 'tlsverify', 'tlscacert', 'tlscert', 'tlskey']) delete out[k];
  }
  return out;
}

export function daemonJsonText(machine: MachineSpec): string {
  return JSON.stringify(daemonJson(machine), null, 2) + '\n';
}
