// Runs one plugin process: spawn, handshake, calls with timeouts (kill on timeout), the last lines of its stderr.
// JSON-RPC messages are handled by json-rpc-2.0; framing is one JSON message per line (node's readline).
// json-rpc-2.0 loads with the first session: every run reaches this module through the driver registry, and
// only a run that uses a plugin needs the package (~7 ms of loading).
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { JSONRPCClient, JSONRPCResponse } from 'json-rpc-2.0';
import { oneLine, PluginFailure } from './failure.js';
import { majorOf, PROTOCOL_MAJOR, PROTOCOL_VERSION, timeoutSeconds, type Method } from './protocol.js';

export interface SessionOptions {
  /** Working folder of the plugin (the folder of machines.yml). */
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Each line the plugin writes to stderr, and each progress notification's text. */
  onLog?: (line: string) => void;
  /** Send this protocol version in the handshake instead of mfile's (the conformance check uses it). */
  protocol?: string;
  /** Skip the handshake (the conformance check sends its own). */
  noHandshake?: boolean;
  /** Who is calling, as the handshake says it ("mfile 0.1.0"). */
  client?: string;
}

type JsonRpc = typeof import('json-rpc-2.0');

const STDERR_LINES = 10;
const KILL_GRACE_MS = 2000;
const EXIT_WAIT_MS = 5000;

export class PluginSession {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly client: JSONRPCClient;
  private readonly stderrTail: string[] = [];
  private exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private spawnError: Error | undefined;
  private garbage: string | undefined;
  /** Settles when the process is gone or broke the protocol; calls race it. */
  private readonly broken: Promise<void>;
  private breakNow!: () => void;
  private onLog: ((line: string) => void) | undefined;
  private readonly env: NodeJS.ProcessEnv;

  private constructor(
    readonly path: string,
    opts: SessionOptions,
    private readonly rpc: JsonRpc,
  ) {
    this.onLog = opts.onLog;
    this.env = opts.env ?? process.env;
    this.broken = new Promise<void>((resolve) => (this.breakNow = resolve));
    this.child = spawn(path, [], {
      cwd: opts.cwd,
      env: { ...this.env, MFILE_DRIVER_PROTOCOL: PROTOCOL_VERSION },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.client = new rpc.JSONRPCClient((payload) => {
      if (this.child.stdin.writable) this.child.stdin.write(JSON.stringify(payload) + '\n');
    });
    this.child.stdin.on('error', () => undefined); // EPIPE: the exit handler reports it
    this.child.on('error', (err) => {
      this.spawnError = err;
      this.breakNow();
    });
    this.child.on('exit', (code, signal) => (this.exited = { code, signal }));
    // 'close' comes after stdout and stderr are drained, so every answer and log line has been read by then.
    this.child.on('close', (code, signal) => {
      this.exited ??= { code, signal };
      this.breakNow();
    });
    createInterface({ input: this.child.stderr, crlfDelay: Infinity }).on('line', (line) => {
      this.stderrTail.push(line);
      if (this.stderrTail.length > STDERR_LINES) this.stderrTail.shift();
      if (line.trim()) this.onLog?.(oneLine(line, 200));
    });
    createInterface({ input: this.child.stdout, crlfDelay: Infinity }).on('line', (line) => this.receive(line));
  }

  /** Starts the plugin and, unless told not to, shakes hands (refusing another major version). */
  static async open(path: string, opts: SessionOptions = {}): Promise<PluginSession> {
    const s = new PluginSession(path, opts, await import('json-rpc-2.0'));
    if (opts.noHandshake) return s;
    try {
      const r = (await s.call('handshake', { protocol: opts.protocol ?? PROTOCOL_VERSION, client: opts.client ?? 'mfile' })) as { protocol?: unknown } | null;
      const theirs = r && typeof r === 'object' ? r.protocol : undefined;
      if (majorOf(theirs) !== PROTOCOL_MAJOR) {
        const what = typeof theirs === 'string' ? `plugin speaks protocol ${oneLine(theirs, 20)}` : 'answer has no "protocol" version';
        throw new PluginFailure(path, 'handshake', `: ${what}, mfile speaks ${PROTOCOL_VERSION}`);
      }
    } catch (err) {
      s.kill();
      throw err;
    }
    return s;
  }

  setLog(onLog: ((line: string) => void) | undefined): void {
    this.onLog = onLog;
  }

  private receive(line: string): void {
    if (!line.trim()) return;
    let msg: unknown;
    try {
      msg = JSON.parse(line);
    } catch {
      msg = undefined;
    }
    if (typeof msg === 'object' && msg !== null && this.rpc.isJSONRPCResponse(msg)) return this.client.receive(msg as JSONRPCResponse);
    const note = msg as { jsonrpc?: unknown; method?: unknown; id?: unknown; params?: { text?: unknown } } | undefined;
    if (note && note.jsonrpc === '2.0' && typeof note.method === 'string' && note.id === undefined) {
      if (note.method === 'progress' && typeof note.params?.text === 'string') this.onLog?.(oneLine(note.params.text, 200));
      return; // other notifications are ignored: a later minor version may add some
    }
    this.garbage ??= line;
    this.kill();
    this.breakNow();
  }

  /** One request; rejects with a one-line PluginFailure on an error answer, a timeout, an exit or garbage. */
  async call(method: Method | string, params?: unknown, opts: { timeoutS?: number } = {}): Promise<unknown> {
    const seconds = opts.timeoutS ?? timeoutSeconds(method, this.env);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), seconds * 1000)));
    try {
      const answer = Promise.resolve(this.client.request(method, params ?? {})).then((result: unknown) => ({ result }));
      answer.catch(() => undefined);
      const outcome = await Promise.race([answer, timedOut, this.broken.then(() => 'broken' as const)]);
      if (outcome === 'timeout') {
        this.kill();
        throw new PluginFailure(this.path, method, ` timed out after ${seconds} s`);
      }
      if (outcome === 'broken') {
        // A response may have been read just before the exit was seen.
        const late = await Promise.race([answer, Promise.resolve(undefined)]);
        if (late) return late.result;
        throw new PluginFailure(this.path, method, `: ${this.whyBroken()}`);
      }
      return outcome.result;
    } catch (err) {
      if (err instanceof PluginFailure) throw err;
      if (err instanceof this.rpc.JSONRPCErrorException) {
        const msg = typeof err.message === 'string' && err.message.trim() ? oneLine(err.message) : `error ${err.code} without a message`;
        throw new PluginFailure(this.path, method, `: ${msg}`, err.code);
      }
      throw new PluginFailure(this.path, method, `: ${oneLine((err as Error).message ?? String(err))}`);
    } finally {
      clearTimeout(timer);
    }
  }

  private whyBroken(): string {
    if (this.spawnError) return `cannot run the plugin: ${oneLine(this.spawnError.message)}`;
    if (this.garbage !== undefined) return `wrote a line that is not JSON-RPC: ${JSON.stringify(oneLine(this.garbage, 80))}`;
    const e = this.exited;
    const how = e?.signal ? `was killed by ${e.signal}` : `exited with status ${e?.code ?? '?'}`;
    return `plugin ${how} before answering${this.tail()}`;
  }

  private tail(): string {
    const lines = this.stderrTail.filter((l) => l.trim());
    return lines.length ? ` (stderr: ${oneLine(lines.slice(-3).join('\n'), 200)})` : '';
  }

  /** SIGTERM, then SIGKILL if it is still there after a grace period. */
  kill(): void {
    if (this.exited || this.spawnError) return;
    this.child.kill('SIGTERM');
    const t = setTimeout(() => {
      if (!this.exited) this.child.kill('SIGKILL');
    }, KILL_GRACE_MS);
    t.unref();
  }

  /** Closes stdin so the plugin exits; kills it if it lingers. True when it exited by itself. */
  async close(): Promise<boolean> {
    if (this.exited || this.spawnError) return true;
    this.child.stdin.end();
    let timer: NodeJS.Timeout | undefined;
    const gone = await Promise.race([
      this.broken.then(() => true),
      new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), EXIT_WAIT_MS))),
    ]);
    clearTimeout(timer);
    if (!gone) this.kill();
    return gone;
  }
}

/** Starts the plugin, shakes hands, makes one call and closes it: how mfile runs every operation. */
export async function callOnce(path: string, method: Method, params: unknown, opts: SessionOptions = {}): Promise<unknown> {
  const s = await PluginSession.open(path, opts);
  try {
    return await s.call(method, params);
  } finally {
    await s.close();
  }
}
