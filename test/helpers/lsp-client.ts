// A minimal Language Server Protocol client over stdio (Content-Length framing, JSON-RPC 2.0), enough to drive
// a real language server from a test: requests, notifications, and waiting for a server notification.
import { spawn, type ChildProcess } from 'node:child_process';

type Message = { id?: number; method?: string; params?: unknown; result?: unknown; error?: { message: string } };

export class LspClient {
  private readonly child: ChildProcess;
  private buffer = Buffer.alloc(0);
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private readonly waiters: { method: string; test: (p: unknown) => boolean; resolve: (p: unknown) => void }[] = [];
  readonly stderr: string[] = [];

  /** `settings` answers the server's workspace/configuration requests, by section ('yaml', ...). */
  constructor(command: string, args: string[], private readonly settings: Record<string, unknown> = {}) {
    this.child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout!.on('data', (d: Buffer) => this.receive(d));
    this.child.stderr!.on('data', (d: Buffer) => this.stderr.push(d.toString()));
  }

  request<T>(method: string, params: unknown): Promise<T> {
    const id = this.nextId++;
    this.send({ jsonrpc: '2.0', id, method, params });
    return new Promise<T>((resolve, reject) => this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject }));
  }

  notify(method: string, params: unknown): void {
    this.send({ jsonrpc: '2.0', method, params });
  }

  /** The next notification `method` whose params pass `test` (registered before the action that causes it). */
  waitFor<T>(method: string, test: (p: T) => boolean): Promise<T> {
    return new Promise<T>((resolve) =>
      this.waiters.push({ method, test: test as (p: unknown) => boolean, resolve: resolve as (p: unknown) => void }),
    );
  }

  async close(): Promise<void> {
    await this.request('shutdown', null).catch(() => undefined);
    this.notify('exit', null);
    if (this.child.exitCode === null) await new Promise((r) => this.child.once('exit', r));
  }

  private send(msg: object): void {
    const body = Buffer.from(JSON.stringify(msg), 'utf8');
    this.child.stdin!.write(`Content-Length: ${body.length}\r\n\r\n`);
    this.child.stdin!.write(body);
  }

  private receive(data: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, data]);
    for (;;) {
      const end = this.buffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      const length = Number(/Content-Length: *([0-9]+)/i.exec(this.buffer.subarray(0, end).toString())?.[1]);
      if (this.buffer.length < end + 4 + length) return;
      const msg = JSON.parse(this.buffer.subarray(end + 4, end + 4 + length).toString('utf8')) as Message;
      this.buffer = this.buffer.subarray(end + 4 + length);
      this.dispatch(msg);
    }
  }

  private dispatch(msg: Message): void {
    if (msg.method === undefined && msg.id !== undefined) {
      const p = this.pending.get(msg.id);
      this.pending.delete(msg.id);
      if (msg.error) p?.reject(new Error(msg.error.message));
      else p?.resolve(msg.result);
      return;
    }
    // A request from the server: settings for workspace/configuration, null for the rest (registerCapability, ...).
    if (msg.id !== undefined) {
      const items = (msg.params as { items?: { section?: string }[] } | undefined)?.items ?? [];
      const result = msg.method === 'workspace/configuration' ? items.map((i) => this.settings[i.section ?? ''] ?? null) : null;
      this.send({ jsonrpc: '2.0', id: msg.id, result });
    }
    const i = this.waiters.findIndex((w) => w.method === msg.method && w.test(msg.params));
    if (i >= 0) this.waiters.splice(i, 1)[0].resolve(msg.params);
  }
}
