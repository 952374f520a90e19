// An HTTP proxy in front of a Docker unix socket that can answer 500 to chosen requests (a sick engine).
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** true: answer 500; 'hang': accept and never answer (a wedged engine); false: pass through. */
export type FaultRule = (req: http.IncomingMessage, n: number) => boolean | 'hang';

export interface EngineProxy {
  port: number;
  url: string;
  /** Requests answered so far (passed through or failed). */
  requests: number;
  failed: number;
  /** Which requests get a 500; null = pass everything (healed). */
  setFault(rule: FaultRule | null): void;
  close(): Promise<void>;
}

export async function startEngineProxy(socketPath = '/var/run/docker.sock'): Promise<EngineProxy> {
  let rule: FaultRule | null = null;
  const state = { requests: 0, failed: 0 };
  const server = http.createServer((req, res) => {
    const n = ++state.requests;
    const fault = rule?.(req, n) ?? false;
    if (fault === 'hang') {
      state.failed++;
      req.resume();
      return;
    }
    if (fault) {
      state.failed++;
      req.resume();
      res.writeHead(500, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ message: 'injected fault: engine unavailable' }) + '\n');
      return;
    }
    const up = http.request({ socketPath, method: req.method, path: req.url, headers: req.headers }, (upRes) => {
      res.writeHead(upRes.statusCode ?? 502, upRes.headers);
      upRes.pipe(res);
    });
    up.on('error', (err) => {
      if (!res.headersSent) res.writeHead(502, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ message: `proxy: ${err.message}` }));
    });
    req.pipe(up);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `tcp://127.0.0.1:${port}`,
    get requests() {
      return state.requests;
    },
    get failed() {
      return state.failed;
    },
    setFault(r) {
      rule = r;
    },
    close() {
      server.closeAllConnections();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}
