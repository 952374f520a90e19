// One net/rpc connection to a plugin: HTTP CONNECT to /_goRPC_, then gob both ways, calls matched to answers by
// sequence number so several can be in flight (heartbeats during a long Create).
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import type { GobType, GobValue } from './gob/index.js';
import { RpcClientCodec } from './rpc-codec.js';

/** The plugin answered the call with an error (net/rpc's Response.Error). */
export class RpcRemoteError extends Error {}

/** The connection ended (or its bytes made no sense) before the answer came. */
export class RpcDisconnectedError extends Error {}

interface Pending {
  resolve: (v: GobValue) => void;
  reject: (e: Error) => void;
}

const CONNECTED = 'HTTP/1.0 200 Connected to Go RPC';

export class RpcConnection {
  private seq = 0;
  private readonly pending = new Map<number, Pending>();
  private readonly codec = new RpcClientCodec();
  private ended: Error | null = null;
  private readonly listeners: ((why: Error) => void)[] = [];

  private constructor(private readonly socket: Socket) {}

  static open(host: string, port: number): Promise<RpcConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port });
      let head = Buffer.alloc(0);
      const onData = (chunk: Buffer): void => {
        head = Buffer.concat([head, chunk]);
        const end = head.indexOf('\n\n');
        if (end < 0) {
          if (head.length > 1024) fail(new Error('answered CONNECT with no end of headers'));
          return;
        }
        const status = head.subarray(0, head.indexOf('\n')).toString('latin1').trim();
        if (status !== CONNECTED) return fail(new Error(`answered CONNECT with ${JSON.stringify(status.slice(0, 80))}`));
        socket.off('data', onData).off('error', fail).off('close', onClose);
        const conn = new RpcConnection(socket);
        conn.attach(head.subarray(end + 2));
        resolve(conn);
      };
      const fail = (err: Error): void => {
        socket.destroy();
        reject(new Error(`RPC connection to ${host}:${port} failed: ${err.message}`));
      };
      const onClose = (): void => fail(new Error('closed during CONNECT'));
      socket.on('data', onData).on('error', fail).on('close', onClose);
      socket.once('connect', () => socket.write('CONNECT /_goRPC_ HTTP/1.0\n\n'));
    });
  }

  call(serviceMethod: string, argType: GobType, arg: unknown): Promise<GobValue> {
    if (this.ended) return Promise.reject(this.ended);
    const seq = this.seq++;
    const bytes = this.codec.request(seq, serviceMethod, argType, arg);
    return new Promise((resolve, reject) => {
      this.pending.set(seq, { resolve, reject });
      this.socket.write(bytes);
    });
  }

  /** Called once, when the connection ends for any reason other than destroy(). */
  onEnd(listener: (why: Error) => void): void {
    this.listeners.push(listener);
  }

  get inFlight(): number {
    return this.pending.size;
  }

  destroy(why = new RpcDisconnectedError('connection closed')): void {
    this.end(why, false);
  }

  private attach(rest: Buffer): void {
    this.socket.on('data', (chunk: Buffer) => this.receive(chunk));
    this.socket.on('error', (err) => this.end(new RpcDisconnectedError(err.message), true));
    this.socket.on('close', () => this.end(new RpcDisconnectedError('connection closed'), true));
    if (rest.length) this.receive(rest);
  }

  private receive(chunk: Buffer): void {
    try {
      this.codec.push(chunk);
      for (let r = this.codec.next(); r; r = this.codec.next()) {
        const p = this.pending.get(r.seq);
        if (!p) continue; // an answer nobody waits for (Go's client drops those too)
        this.pending.delete(r.seq);
        if (r.error) p.reject(new RpcRemoteError(r.error));
        else p.resolve(r.body);
      }
    } catch (err) {
      this.end(new RpcDisconnectedError(`unreadable answer: ${(err as Error).message}`), true);
    }
  }

  private end(why: Error, notify: boolean): void {
    if (this.ended) return;
    this.ended = why;
    this.socket.destroy();
    for (const p of this.pending.values()) p.reject(why);
    this.pending.clear();
    if (notify) for (const l of this.listeners) l(why);
  }
}
