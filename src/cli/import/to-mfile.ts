// How a Docker Machine machine becomes an mfile machine. Every one is imported as driver `none` at its engine URL
// with Docker Machine's CA and client certificate (copied into .mfile/machines/NAME/): the engine keeps its
// server certificate and its daemon is never restarted. mfile's `generic` driver would provision the host with
// the project's CA (a daemon restart); switching to it is the user's one-line edit, named in the comment.
import { UsageError } from '../../errors.js';
import type { StoreMachine } from './read-store.js';
import type { YamlMachine } from './edit-machines-yml.js';
import { DOCKER_MACHINE_NONE_DRIVER } from '../../drivers/docker-machine/store-names.js';
import { noneTraits } from '../../drivers/none/traits.js';

export interface ImportedMachine {
  yaml: YamlMachine;
  url: string;
  tls: NonNullable<StoreMachine['tls']>;
  /** Said to the user: what was mapped and how. */
  note: string;
}

/** `tlsDir` is .mfile/machines/NAME as machines.yml names it (relative to the config's folder). */
export function toMfile(m: StoreMachine, store: string, tlsDir: string): ImportedMachine {
  if (!m.url || !/^tcp:\/\/[^/]+:\d+\/?$/.test(m.url)) {
    const has = m.url ? `its URL is ${m.url}` : 'it records neither URL nor IPAddress (a machine never started?)';
    throw new UsageError(`${m.configFile}: driver ${m.driverName}: no engine address of the form tcp://HOST:PORT to import: ${has}`);
  }
  if (!m.tls) {
    throw new UsageError(`${m.configFile}: no client certificate found (ca.pem, cert.pem, key.pem in the machine folder or ${store}/certs)`);
  }
  const url = m.url.replace(/\/$/, '');
  const block: Record<string, unknown> = {
    driver: noneTraits.name,
    [noneTraits.block ?? noneTraits.name]: { url },
    tls: { ca: `${tlsDir}/ca.pem`, cert: `${tlsDir}/cert.pem`, key: `${tlsDir}/key.pem` },
  };
  let comment = `imported from Docker Machine store ${store}`;
  let note = `${m.name}: driver none at ${url}, keeps Docker Machine's CA`;
  if (m.driverName !== DOCKER_MACHINE_NONE_DRIVER) {
    const ssh = m.ssh ? ` (SSH ${m.ssh.user}@${m.ssh.host}:${m.ssh.port}${m.ssh.keyFile ? ` key ${m.ssh.keyFile}` : ''})` : '';
    comment += `; Docker Machine driver ${m.driverName}${ssh}: imported as none at its engine URL`;
    note += ` (Docker Machine driver ${m.driverName} imported as none: mfile talks to its engine and does not manage the host)`;
  }
  return { yaml: { name: m.name, block, comment }, url, tls: m.tls, note };
}
