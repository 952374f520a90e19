// One dockerode client for one engine endpoint. No constructor `timeout`: it leaves promises unsettled
// (packages.md §2.5); callers pass a per-call abortSignal instead.
import type { Agent } from 'node:http';
import type Docker from 'dockerode';
import type { EngineEndpoint } from '../../model/engine-endpoint.js';
import { requireDockerode } from './deferred-internals.js';
import { isNotFound } from './errors.js';
import { tlsAgent } from './tls-agent.js';

export type DockerClient = Docker;

// dockerode is loaded on first use, so validate and plan --refresh=false never pay for it, and without the
// internals mfile never calls (deferred-internals.ts).
let dockerode: typeof Docker | undefined;
/** The dockerode class, loaded the first time a client is made. */
function dockerodeClass(): typeof Docker {
  return (dockerode ??= requireDockerode(import.meta.url) as typeof Docker);
}

export interface ClientOptions {
  /** Transport for endpoints dockerode cannot dial itself (kind 'ssh'): an http.Agent over the machine's SSH link. */
  agent?: Agent;
}

export function dockerClient(endpoint: EngineEndpoint, opts: ClientOptions = {}): DockerClient {
  const Docker = dockerodeClass();
  switch (endpoint.kind) {
    case 'unix':
      return new Docker({ socketPath: endpoint.socketPath });
    case 'tcp':
      if (endpoint.tls) {
        // No ca/cert/key here: docker-modem would pass them with every request, and each connection would parse
        // them into a TLS context of its own. The agent holds the one context and keeps its connections open.
        return new Docker({ protocol: 'https', host: endpoint.host, port: endpoint.port, agent: tlsAgent(endpoint.host, endpoint.port, endpoint.tls) } as Docker.DockerOptions);
      }
      return new Docker({ protocol: 'http', host: endpoint.host, port: endpoint.port });
    case 'ssh':
      if (!opts.agent) throw new Error(`engine over SSH (${endpoint.socketPath}) needs an SSH transport`);
      // @types/dockerode lacks `agent`; docker-modem passes it to http.request.
      return new Docker({ protocol: 'http', host: 'docker', port: 80, agent: opts.agent } as Docker.DockerOptions);
  }
}

/** Closes the client's connections (its agent's), so nothing waits on them at exit. */
export function closeDockerClient(docker: DockerClient): void {
  (docker.modem as { agent?: Agent }).agent?.destroy();
}

/** The engine where mfile runs: DOCKER_HOST (unix:// or tcp:// with DOCKER_TLS_VERIFY/DOCKER_CERT_PATH) or the default socket. */
export function localEndpoint(env: NodeJS.ProcessEnv = process.env): EngineEndpoint {
  const host = env.DOCKER_HOST;
  if (!host) return { kind: 'unix', socketPath: '/var/run/docker.sock' };
  if (host.startsWith('unix://')) return { kind: 'unix', socketPath: host.slice('unix://'.length) };
  const url = new URL(host.replace(/^tcp:/, 'http:'));
  const port = Number(url.port || (env.DOCKER_TLS_VERIFY ? 2376 : 2375));
  if (env.DOCKER_TLS_VERIFY && env.DOCKER_TLS_VERIFY !== '0') {
    const dir = env.DOCKER_CERT_PATH ?? `${env.HOME ?? ''}/.docker`;
    return { kind: 'tcp', host: url.hostname, port, tls: { ca: `${dir}/ca.pem`, cert: `${dir}/cert.pem`, key: `${dir}/key.pem` } };
  }
  return { kind: 'tcp', host: url.hostname, port };
}

/** A short, stable text for an endpoint (state engineUrl, messages). */
export function endpointUrl(endpoint: EngineEndpoint): string {
  switch (endpoint.kind) {
    case 'unix':
      return `unix://${endpoint.socketPath}`;
    case 'tcp':
      return `tcp://${endpoint.host}:${endpoint.port}`;
    case 'ssh':
      return `ssh+unix://${endpoint.socketPath}`;
  }
}

export interface EngineInfo {
  ID: string;
  DockerRootDir: string;
  Name: string;
  CgroupVersion?: string;
  OomKillDisable?: boolean;
  CpuCfsPeriod?: boolean;
  CpuCfsQuota?: boolean;
  CPUSet?: boolean;
  Runtimes?: Record<string, unknown>;
}

/** Calls whose @types lack an options argument, though dockerode passes abortSignal through. */
interface SignalCalls {
  version(opts: { abortSignal: AbortSignal }): Promise<Docker.DockerVersion>;
  ping(opts: { abortSignal: AbortSignal }): Promise<unknown>;
  info(opts: { abortSignal: AbortSignal }): Promise<EngineInfo>;
}

export const engineVersion = (docker: Docker, abortSignal: AbortSignal): Promise<Docker.DockerVersion> =>
  (docker as unknown as SignalCalls).version({ abortSignal });
export const enginePing = (docker: Docker, abortSignal: AbortSignal): Promise<unknown> => (docker as unknown as SignalCalls).ping({ abortSignal });
export const engineInfo = (docker: Docker, abortSignal: AbortSignal): Promise<EngineInfo> => (docker as unknown as SignalCalls).info({ abortSignal });

/** Content id of the image of that name on this engine, or undefined when it holds none. */
export async function localImageId(docker: Docker, ref: string, abortSignal: AbortSignal): Promise<string | undefined> {
  try {
    return (await docker.getImage(ref).inspect({ abortSignal } as Docker.ImageInspectOptions)).Id;
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}
