// Registry calls made through a machine's engine: the credentials travel in X-Registry-Auth with the one call
// that needs them (dockerode's `authconfig`), so the engine never stores them and mfile needs no registry client.
import type Docker from 'dockerode';
import { engineMessage } from './errors.js';

export interface RegistryAccess {
  name: string;
  address: string;
  username?: string;
  password?: string;
  /** The CA file machines.yml names, for the error that asks for it. */
  caFile?: string;
}

export interface AuthConfig {
  username: string;
  password: string;
  serveraddress: string;
}

export function authConfig(r: RegistryAccess | undefined): AuthConfig | undefined {
  if (!r || r.username === undefined || r.password === undefined) return undefined;
  return { username: r.username, password: r.password, serveraddress: r.address };
}

/**
 * The registry's digest for a tag (GET /distribution/NAME/json through the engine). Rejects with the engine's
 * error; registryFailure() turns it into one line.
 */
export async function distributionDigest(docker: Docker, ref: string, registry: RegistryAccess, signal?: AbortSignal): Promise<string> {
  const auth = authConfig(registry);
  const data = await new Promise<unknown>((resolve, reject) => {
    docker.modem.dial(
      {
        path: `/distribution/${ref}/json`,
        method: 'GET',
        ...(auth ? { authconfig: auth } : {}),
        ...(signal ? { abortSignal: signal } : {}),
        statusCodes: { 200: true, 401: 'unauthorized', 403: 'forbidden', 404: 'not found', 500: 'server error' },
      } as unknown as Parameters<Docker['modem']['dial']>[0],
      (err: unknown, out: unknown) => (err ? reject(err) : resolve(out)),
    );
  });
  const digest = (data as { Descriptor?: { digest?: unknown } } | null)?.Descriptor?.digest;
  if (typeof digest !== 'string') throw new Error('the engine returned no digest for the tag');
  return digest;
}

export type RegistryFailureKind = 'credentials' | 'unknown-image' | 'untrusted' | 'down' | 'other';

/** What a registry error means, from the engine's words (dockerd 20.10 and distribution 2.8 phrasing). */
export function registryFailureKind(message: string): RegistryFailureKind {
  const m = message.toLowerCase();
  if (/x509|certificate signed by unknown authority|certificate is not trusted|unknown certificate authority/.test(m)) return 'untrusted';
  if (/unauthorized|authentication required|no basic auth credentials|incorrect username or password|denied: requested access/.test(m)) return 'credentials';
  if (/manifest unknown|name unknown|not found|repository .* not found|does not exist/.test(m)) return 'unknown-image';
  if (/connection refused|no route to host|i\/o timeout|no such host|network is unreachable|dial tcp|timeout exceeded|eof$|connection reset/.test(m)) return 'down';
  return 'other';
}

export interface FailureContext {
  registry: RegistryAccess;
  ref: string;
  machine: string;
  /** mfile writes the CA on this machine during provisioning (not on the local engine's host). */
  provisioned: boolean;
  /** pull, push or tag check */
  doing: string;
}

/** One line naming the registry, the image and the machine; never a credential (the engine's text is only kept for "down" and "other"). */
export function registryFailure(err: unknown, c: FailureContext): string {
  const detail = engineMessage(err);
  const reg = `registry ${c.registry.name} (${c.registry.address})`;
  switch (registryFailureKind(detail)) {
    case 'credentials':
      return c.registry.username === undefined
        ? `${reg} asks for credentials to ${c.doing} ${c.ref}: give registries.${c.registry.name}.username and password`
        : `${reg} refused the credentials to ${c.doing} ${c.ref} (wrong username or password for user ${c.registry.username})`;
    case 'unknown-image':
      return `image ${c.ref} is not in ${reg} (${c.doing} on machine ${c.machine})`;
    case 'untrusted': {
      const where = `/etc/docker/certs.d/${c.registry.address}/ca.crt`;
      if (!c.provisioned) return `the engine of machine ${c.machine} does not trust the certificate of ${reg}: put the CA that signed it at ${where} on that engine's host (mfile writes nothing there)`;
      return c.registry.caFile === undefined
        ? `machine ${c.machine} does not trust the certificate of ${reg}: give the CA that signed it as registries.${c.registry.name}.ca_file (mfile puts it at ${where})`
        : `machine ${c.machine} does not trust the certificate of ${reg}: ${c.registry.caFile} (registries.${c.registry.name}.ca_file) did not sign it; give the CA that did`;
    }
    case 'down':
      return `${reg} is down or unreachable from machine ${c.machine} (${c.doing} ${c.ref}): ${detail}`;
    default:
      return `${reg}: ${c.doing} ${c.ref} on machine ${c.machine} failed: ${detail}`;
  }
}
