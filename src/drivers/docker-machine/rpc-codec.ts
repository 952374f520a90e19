// Go net/rpc's client side over gob, without I/O: each call is a Request header then its argument, each answer a
// Response header then its reply, one gob stream per direction for the life of the connection.
import type { GobType, GobValue } from './gob/index.js';
import { GobDecoder, GobEncoder, GobError } from './gob/index.js';
import { rpcRequest } from './protocol-types.js';

export interface RpcResponse {
  seq: number;
  serviceMethod: string;
  /** net/rpc's error text; empty on success. */
  error: string;
  /** The reply (struct{} when the call failed). */
  body: GobValue;
}

export class RpcClientCodec {
  private readonly encoder = new GobEncoder();
  private readonly decoder = new GobDecoder();
  private header: Omit<RpcResponse, 'body'> | null = null;

  request(seq: number, serviceMethod: string, argType: GobType, arg: unknown): Buffer {
    return Buffer.concat([
      this.encoder.encode(rpcRequest, { ServiceMethod: serviceMethod, Seq: seq }),
      this.encoder.encode(argType, arg),
    ]);
  }

  push(chunk: Uint8Array): void {
    this.decoder.push(chunk);
  }

  /** The next whole response, or undefined until its bytes have all arrived. */
  next(): RpcResponse | undefined {
    if (!this.header) {
      const h = this.decoder.next();
      if (!h) return undefined;
      const v = h.value as { ServiceMethod?: unknown; Seq?: unknown; Error?: unknown } | null;
      if (h.type.kind !== 'struct' || typeof v?.ServiceMethod !== 'string' || typeof v.Seq !== 'number' || typeof v.Error !== 'string') {
        throw new GobError('expected a net/rpc response header');
      }
      this.header = { seq: v.Seq, serviceMethod: v.ServiceMethod, error: v.Error };
    }
    const body = this.decoder.next();
    if (!body) return undefined;
    const response = { ...this.header, body: body.value };
    this.header = null;
    return response;
  }
}
