// One SSH connection per machine per run, shared by every step that touches the machine.
import { SshSession, type SshConnectOptions } from './session.js';

export class SshPool {
  private readonly sessions = new Map<string, Promise<SshSession>>();

  /** The machine's connection, opened on first use; concurrent callers share one handshake. */
  async get(opts: SshConnectOptions): Promise<SshSession> {
    const cached = this.sessions.get(opts.machine);
    if (cached) {
      const s = await cached.catch(() => undefined);
      if (s?.alive) return s;
      if (this.sessions.get(opts.machine) === cached) this.sessions.delete(opts.machine);
      else return this.get(opts);
    }
    const p = SshSession.connect(opts);
    this.sessions.set(opts.machine, p);
    p.catch(() => {
      if (this.sessions.get(opts.machine) === p) this.sessions.delete(opts.machine);
    });
    return p;
  }

  /** An open connection, if there is one, without connecting. */
  async peek(machine: string): Promise<SshSession | undefined> {
    const s = await this.sessions.get(machine)?.catch(() => undefined);
    return s?.alive ? s : undefined;
  }

  /** Close and forget one machine's connection (after remove, or a host key change). */
  async drop(machine: string): Promise<void> {
    const p = this.sessions.get(machine);
    this.sessions.delete(machine);
    (await p?.catch(() => undefined))?.close();
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.sessions.keys()].map((m) => this.drop(m)));
  }
}

let shared: SshPool | undefined;

/** The pool of this run (one CLI process = one run). */
export function sshPool(): SshPool {
  return (shared ??= new SshPool());
}

/** End every SSH connection of this run (call when the run finishes, e.g. Connections' onClose). */
export async function closeSshPool(): Promise<void> {
  const p = shared;
  shared = undefined;
  await p?.closeAll();
}
