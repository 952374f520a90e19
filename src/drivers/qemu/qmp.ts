// A small QMP client (qemu's JSON machine protocol on the unix socket in the machine's folder): one connection
// per call, greeting, qmp_capabilities, then the command. Asynchronous events in between are skipped.
import { connect, type Socket } from 'node:net';

export class QmpError extends Error {}

export interface QmpStatus {
  running: boolean;
  /** qemu's run state: running, paused, shutdown, inmigrate, ... */
  status: string;
}

/** Reads JSON lines from the socket, one at a time. */
function lineReader(sock: Socket): () => Promise<Record<string, unknown>> {
  let buf = '';
  const lines: string[] = [];
  const waiting: { resolve: (l: string) => void; reject: (e: Error) => void }[] = [];
  let failed: Error | null = null;
  const fail = (e: Error) => {
    failed = e;
    for (const w of waiting.splice(0)) w.reject(e);
  };
  sock.setEncoding('utf8');
  sock.on('data', (chunk: string) => {
    buf += chunk;
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i).trim();
      buf = buf.slice(i + 1);
      if (!line) continue;
      const w = waiting.shift();
      if (w) w.resolve(line);
      else lines.push(line);
    }
  });
  sock.on('error', (e) => fail(e));
  sock.on('close', () => fail(new QmpError('QMP connection closed')));
  return async () => {
    const next = lines.shift();
    const line = next ?? (failed ? Promise.reject(failed) : new Promise<string>((resolve, reject) => waiting.push({ resolve, reject })));
    try {
      return JSON.parse(await line) as Record<string, unknown>;
    } catch (e) {
      if (e instanceof SyntaxError) throw new QmpError(`QMP sent something that is not JSON: ${e.message}`);
      throw e;
    }
  };
}

/** Runs one command and returns its `return` value; a QMP error becomes a QmpError with qemu's description. */
export async function qmpCommand(socketPath: string, execute: string, args?: Record<string, unknown>, timeoutMs = 5000): Promise<unknown> {
  const sock = connect({ path: socketPath });
  const timer = setTimeout(() => sock.destroy(new QmpError(`QMP did not answer within ${timeoutMs} ms`)), timeoutMs);
  try {
    await new Promise<void>((resolve, reject) => {
      sock.once('connect', resolve);
      sock.once('error', reject);
    });
    const read = lineReader(sock);
    const greeting = await read();
    if (!('QMP' in greeting)) throw new QmpError('the socket does not speak QMP');
    const call = async (cmd: string, a?: Record<string, unknown>): Promise<unknown> => {
      sock.write(JSON.stringify(a ? { execute: cmd, arguments: a } : { execute: cmd }) + '\n');
      for (;;) {
        const msg = await read();
        if ('event' in msg) continue;
        if ('error' in msg) {
          const err = msg.error as { class?: string; desc?: string };
          throw new QmpError(`${cmd}: ${err.desc ?? err.class ?? 'error'}`);
        }
        if ('return' in msg) return msg.return;
      }
    };
    await call('qmp_capabilities');
    return await call(execute, args);
  } finally {
    clearTimeout(timer);
    sock.destroy();
  }
}

export async function queryStatus(socketPath: string, timeoutMs?: number): Promise<QmpStatus> {
  const r = (await qmpCommand(socketPath, 'query-status', undefined, timeoutMs)) as { running?: boolean; status?: string };
  return { running: r.running === true, status: String(r.status ?? 'unknown') };
}
