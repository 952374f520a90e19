// One keep-alive https agent per engine reached over mutual TLS. Without it each call opened its own connection
// with a full handshake and parsed the CA, certificate and key into a TLS context of its own.
import { readFileSync } from 'node:fs';
import { Agent as HttpsAgent } from 'node:https';
import { createSecureContext, type SecureContext } from 'node:tls';
import { quietInInspect } from './quiet-agent.js';

export interface TlsFiles {
  ca: string;
  cert: string;
  key: string;
}

interface Shared {
  context: SecureContext;
  /** By host:port: the driver's status check and the run's client then share one connection. */
  agents: Map<string, HttpsAgent>;
}

// Every machine of a project is reached with the same CA and client certificate: one context for all of them,
// keyed by the files' contents (a regenerated certificate gets a context, and agents, of its own).
const shared = new Map<string, Shared>();

/**
 * The agent for host:port with these files. Options as Node's global agent: idle connections close after 5 s and,
 * while idle, never keep the process alive.
 */
export function tlsAgent(host: string, port: number, files: TlsFiles): HttpsAgent {
  const pems = [files.ca, files.cert, files.key].map((f) => readFileSync(f, 'utf8'));
  const id = JSON.stringify(pems);
  let s = shared.get(id);
  if (!s) shared.set(id, (s = { context: createSecureContext({ ca: pems[0], cert: pems[1], key: pems[2] }), agents: new Map() }));
  const at = `${host}:${port}`;
  let agent = s.agents.get(at);
  if (!agent) s.agents.set(at, (agent = quietInInspect(new HttpsAgent({ keepAlive: true, scheduling: 'lifo', timeout: 5_000, secureContext: s.context }))));
  return agent;
}
