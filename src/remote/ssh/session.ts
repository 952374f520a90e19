// One ssh2 connection to one machine: exec argv arrays, upload files, open the engine's unix socket.
// Channels are capped at 8 (OpenSSH's MaxSessions is 10 and refuses the 11th with "open failed").
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import type { Duplex } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import pLimit, { type LimitFunction } from 'p-limit';
import { createRequire } from 'node:module';
import type * as Ssh2 from 'ssh2';
import type { Client, ConnectConfig, SFTPWrapper } from 'ssh2';
import { DriverError, RemoteCommandError } from '../../errors.js';
import type { SshAddress } from '../../model/index.js';
import { fingerprintOf, knownHostsLine } from './fingerprint.js';
import { hostKeyChangedMessage } from './host-key.js';
import { quoteArgv } from './shell-quote.js';

// ssh2 is loaded on first connection: commands that reach no machine (validate, plan --refresh=false) skip it.
let ssh2: typeof Ssh2 | undefined;
const newClient = (): Client => new (ssh2 ??= createRequire(import.meta.url)('ssh2') as typeof Ssh2).Client();

export const MAX_CHANNELS = 8;

export interface SshConnectOptions {
  machine: string;
  address: SshAddress;
  /** The fingerprint pinned on first contact; a different key is refused. */
  pinnedFingerprint?: string;
  /** The same for the jump host, when the address has one. */
  pinnedJumpFingerprint?: string;
  /** Refuse to connect without a pin (and the jump host's): every connection but a machine's first contact. */
  requirePin?: boolean;
  /** Total time for all attempts while a new machine boots. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Called before each retry with the reason, for progress output. */
  onRetry?: (attempt: number, reason: string) => void;
}

export interface ExecOptions {
  /** Bytes written to the command's stdin, then EOF. */
  stdin?: string | Buffer;
  /** Prefix `sudo -n` (default: the address's sudo flag). */
  sudo?: boolean;
  /** Resolve with the exit code instead of throwing RemoteCommandError. */
  check?: boolean;
}

export interface ExecResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** SSH logins per machine in this process, for the "one handshake per machine per run" guarantee. */
export const handshakeCounts = new Map<string, number>();

class HostKeyMismatch extends Error {}

export class SshSession {
  private readonly limit: LimitFunction = pLimit(MAX_CHANNELS);
  private sftpP?: Promise<SFTPWrapper>;
  private closedReason?: string;

  /** Use SshSession.connect or SshPool.get. */
  constructor(
    readonly machine: string,
    readonly address: SshAddress,
    private readonly client: Client,
    /** SHA256 fingerprint of the host key offered on this connection. */
    readonly fingerprint: string,
    /** known_hosts line for the host key, for the system ssh client. */
    readonly knownHostsLine: string,
    /** The jump host's connection and offered key, when reached through one. */
    private readonly jump?: JumpConnection,
  ) {
    client.on('close', () => (this.closedReason ??= 'connection closed'));
    client.on('error', (e: Error) => (this.closedReason ??= e.message));
  }

  /** SHA256 fingerprint of the jump host's key, when reached through one. */
  get jumpFingerprint(): string | undefined {
    return this.jump?.fingerprint;
  }

  /** known_hosts line for the jump host's key. */
  get jumpKnownHostsLine(): string | undefined {
    return this.jump?.knownHostsLine;
  }

  get alive(): boolean {
    return this.closedReason === undefined;
  }

  static async connect(opts: SshConnectOptions): Promise<SshSession> {
    const { machine, address } = opts;
    const timeoutMs = opts.timeoutMs ?? 60_000;
    const deadline = Date.now() + timeoutMs;
    const where = `${address.user}@${address.host}:${address.port}`;
    if (opts.requirePin && (!opts.pinnedFingerprint || (address.jump && !opts.pinnedJumpFingerprint))) {
      const whose = opts.pinnedFingerprint ? `its jump host ${address.jump!.host}` : where;
      throw new DriverError(machine, `refusing to connect to ${where}: no host key pinned for ${whose}`);
    }
    let delay = 50;
    let lastReason = '';
    let authFailures = 0;
    for (let attempt = 1; ; attempt++) {
      opts.signal?.throwIfAborted();
      try {
        return await connectOnce(opts, Math.max(1000, Math.min(20_000, deadline - Date.now())));
      } catch (e) {
        if (e instanceof HostKeyMismatch) throw new DriverError(machine, e.message);
        lastReason = (e as Error).message;
        // A wrong key does not fix itself; allow a few tries for hosts that install keys late in boot.
        if (/authentication methods failed/i.test(lastReason) && ++authFailures >= 3) {
          throw new DriverError(machine, `SSH login to ${where} refused: ${lastReason}`);
        }
      }
      if (Date.now() + delay > deadline) {
        throw new DriverError(
          machine,
          `SSH to ${where} did not answer within ${Math.round(timeoutMs / 1000)}s (${attempt} attempts): ${lastReason}`,
        );
      }
      opts.onRetry?.(attempt, lastReason);
      await sleep(delay, undefined, { signal: opts.signal });
      delay = Math.min(Math.round(delay * 1.6), 2000);
    }
  }

  /** Run argv on the machine; throws RemoteCommandError on a non-zero exit unless check is false. */
  exec(argv: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
    const full = (opts.sudo ?? this.address.sudo) ? ['sudo', '-n', ...argv] : [...argv];
    const command = quoteArgv(full);
    return this.limit(
      () =>
        new Promise<ExecResult>((resolve, reject) => {
          this.client.exec(command, (err, ch) => {
            if (err) return reject(this.channelError(err));
            const out: Buffer[] = [];
            const errOut: Buffer[] = [];
            let code: number | null = null;
            ch.on('data', (d: Buffer) => out.push(d));
            ch.stderr.on('data', (d: Buffer) => errOut.push(d));
            ch.on('exit', (c: number | null) => (code = c ?? null));
            ch.on('close', () => {
              const res = { code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(errOut).toString() };
              if (code !== 0 && opts.check !== false) {
                reject(new RemoteCommandError(this.machine, command, code, res.stderr.slice(-2000)));
              } else resolve(res);
            });
            ch.end(opts.stdin ?? undefined);
          });
        }),
    );
  }

  /** Write a file with a mode. Uses SFTP, or `sudo sh -c cat` through exec for non-root users with sudo. */
  async writeFile(path: string, data: string | Buffer, mode: number): Promise<void> {
    if (this.address.sudo) {
      const script = 'umask 077 && cat > "$1" && chmod "$2" "$1"';
      await this.exec(['sh', '-c', script, 'sh', path, mode.toString(8)], { stdin: data });
      return;
    }
    const sftp = await this.sftp();
    await this.limit(
      () =>
        new Promise<void>((resolve, reject) => {
          // mode only applies when the file is created, so chmod after every write.
          sftp.writeFile(path, data, { mode }, (err) => {
            if (err) return reject(new RemoteCommandError(this.machine, `sftp write ${path}`, null, err.message));
            sftp.chmod(path, mode, (e2) =>
              e2 ? reject(new RemoteCommandError(this.machine, `sftp chmod ${path}`, null, e2.message)) : resolve(),
            );
          });
        }),
    );
  }

  /** A stream to a unix socket on the machine (OpenSSH direct-streamlocal), e.g. /var/run/docker.sock. */
  openUnixSocketStream(socketPath: string): Promise<Duplex> {
    return new Promise((resolve, reject) => {
      this.client.openssh_forwardOutStreamLocal(socketPath, (err, stream) =>
        err ? reject(this.channelError(err, socketPath)) : resolve(stream as unknown as Duplex),
      );
    });
  }

  close(): void {
    this.closedReason ??= 'closed';
    if (this.sftpP) this.sftpP.then((s) => s.end()).catch(() => undefined);
    this.client.end();
    this.jump?.client.end();
  }

  /** The connection's SFTP channel (uploads here, and `mfile scp`). */
  sftp(): Promise<SFTPWrapper> {
    // One SFTP channel per connection; it multiplexes requests, so it is opened once outside the channel cap.
    this.sftpP ??= new Promise((resolve, reject) =>
      this.client.sftp((err, s) => (err ? reject(this.channelError(err, 'sftp')) : resolve(s))),
    );
    return this.sftpP;
  }

  private channelError(err: Error, what = 'exec'): DriverError {
    const why = this.closedReason ? `connection lost (${this.closedReason})` : err.message;
    return new DriverError(this.machine, `SSH ${what} channel failed: ${why}`);
  }
}

function expandHome(p: string): string {
  return p.startsWith('~/') ? homedir() + p.slice(1) : p;
}

function authConfig(machine: string, a: SshAddress): Partial<ConnectConfig> {
  const cfg: Partial<ConnectConfig> = { username: a.user };
  if (a.identityFile) {
    try {
      cfg.privateKey = readFileSync(expandHome(a.identityFile));
    } catch (e) {
      throw new DriverError(machine, `cannot read SSH identity file ${a.identityFile}: ${(e as Error).message}`);
    }
  }
  if (a.useAgent || !a.identityFile) {
    if (process.env.SSH_AUTH_SOCK) cfg.agent = process.env.SSH_AUTH_SOCK;
    else if (!a.identityFile) throw new DriverError(machine, 'no identity_file given and SSH_AUTH_SOCK is not set');
  }
  return cfg;
}

interface JumpConnection {
  client: Client;
  fingerprint: string;
  knownHostsLine: string;
}

/**
 * Open the jump host's connection, checking its key against the pin as for any machine, and a forwarded TCP
 * stream through it to the target.
 */
async function viaJump(opts: SshConnectOptions, readyTimeout: number): Promise<{ sock: Duplex; jump: JumpConnection }> {
  const j = opts.address.jump!;
  const client = newClient();
  let offered: Buffer | undefined;
  let mismatch: string | undefined;
  await new Promise<void>((resolve, reject) => {
    client.once('ready', () => resolve());
    client.once('error', (e: Error) => {
      client.end();
      reject(mismatch ? new HostKeyMismatch(mismatch) : new Error(`jump host ${j.host}: ${e.message}`));
    });
    client.connect({
      host: j.host,
      port: j.port,
      readyTimeout,
      ...authConfig(opts.machine, j),
      hostVerifier: (key: Buffer) => {
        offered = Buffer.from(key);
        const fp = fingerprintOf(offered);
        if (opts.pinnedJumpFingerprint && fp !== opts.pinnedJumpFingerprint) {
          mismatch = hostKeyChangedMessage(opts.machine, opts.pinnedJumpFingerprint, fp, `${j.host}:${j.port}`);
          return false;
        }
        return true;
      },
    });
  });
  const jump: JumpConnection = { client, fingerprint: fingerprintOf(offered!), knownHostsLine: knownHostsLine(j.host, j.port, offered!) };
  const sock = await new Promise<Duplex>((resolve, reject) =>
    client.forwardOut('127.0.0.1', 0, opts.address.host, opts.address.port, (err, s) =>
      err ? (client.end(), reject(new Error(`jump host ${j.host} cannot reach ${opts.address.host}: ${err.message}`))) : resolve(s as unknown as Duplex),
    ),
  );
  return { sock, jump };
}

async function connectOnce(opts: SshConnectOptions, readyTimeout: number): Promise<SshSession> {
  const { machine, address } = opts;
  const auth = authConfig(machine, address);
  const via = address.jump ? await viaJump(opts, readyTimeout) : undefined;
  const client = newClient();
  let offered: Buffer | undefined;
  let mismatch: string | undefined;
  return new Promise<SshSession>((resolve, reject) => {
    const fail = (e: Error) => {
      client.end();
      via?.jump.client.end();
      reject(mismatch ? new HostKeyMismatch(mismatch) : e);
    };
    client.once('ready', () => {
      client.removeListener('error', fail);
      client.on('error', () => undefined); // later errors surface on the next channel open
      handshakeCounts.set(machine, (handshakeCounts.get(machine) ?? 0) + 1);
      const fp = fingerprintOf(offered!);
      resolve(
        new SshSession(machine, address, client, fp, knownHostsLine(address.host, address.port, offered!), via?.jump),
      );
    });
    client.once('error', fail);
    client.connect({
      host: address.host,
      port: address.port,
      sock: via?.sock as ConnectConfig['sock'],
      readyTimeout,
      keepaliveInterval: 15_000,
      ...auth,
      hostVerifier: (key: Buffer) => {
        offered = Buffer.from(key);
        const fp = fingerprintOf(offered);
        if (opts.pinnedFingerprint && fp !== opts.pinnedFingerprint) {
          mismatch = hostKeyChangedMessage(machine, opts.pinnedFingerprint, fp);
          return false;
        }
        return true;
      },
    });
  });
}
