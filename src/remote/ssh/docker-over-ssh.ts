// The Docker API through the machine's one SSH connection: an http.Agent whose sockets are OpenSSH
// direct-streamlocal channels to the engine's unix socket (no TCP port on the machine, no extra logins).
import { Agent } from 'node:http';
import type { Duplex } from 'node:stream';
import type Docker from 'dockerode';
import { dockerClient } from '../docker/client.js';
import { quietInInspect } from '../docker/quiet-agent.js';
import type { SshSession } from './session.js';

class SshSocketAgent extends Agent {
  constructor(
    private readonly session: SshSession,
    private readonly socketPath: string,
  ) {
    // No keepAlive: http.Agent would call socket.setKeepAlive, which ssh2 channels lack.
    super({ maxSockets: 8 });
  }

  override createConnection(_opts: unknown, cb: (err: Error | null, socket?: Duplex) => void): undefined {
    this.session.openUnixSocketStream(this.socketPath).then(
      (s) => cb(null, s),
      (e: Error) => cb(e),
    );
    return undefined;
  }
}

/** An http.Agent for dockerClient(endpoint, { agent }) in src/remote/docker/client.ts. */
export function sshDockerAgent(session: SshSession, socketPath: string): Agent {
  return quietInInspect(new SshSocketAgent(session, socketPath));
}

/** A dockerode client that talks to socketPath on the machine through its SSH session. */
export function createSshDockerClient(session: SshSession, socketPath: string): Docker {
  return dockerClient({ kind: 'ssh', socketPath }, { agent: sshDockerAgent(session, socketPath) });
}
