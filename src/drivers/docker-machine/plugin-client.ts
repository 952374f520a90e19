// A running Docker Machine driver plugin and the RPCServerDriver methods it serves, as Docker Machine's own client
// uses them: version check first (falling back to the pre-0.5.1 service name), a heartbeat every 5 s (the plugin
// exits after 10 s without one), Close at the end. Every failure is one line naming the plugin and the method.
import { DriverError } from '../../errors.js';
import type { DockerMachineFlag, FlagValue } from './flags.js';
import { flagsFromReply, rpcFlagsArgument } from './flags.js';
import type { GobType, GobValue } from './gob/index.js';
import { gobBytes } from './gob/index.js';
import type { DockerMachineState } from './machine-state.js';
import { stateName } from './machine-state.js';
import type { PluginLaunch, PluginProcess } from './plugin-process.js';
import { launchPlugin } from './plugin-process.js';
import { emptyStruct } from './protocol-types.js';
import { RpcConnection, RpcRemoteError } from './rpc-connection.js';

/** The plugin API version this client speaks (Docker Machine's version.APIVersion). */
export const PLUGIN_API_VERSION = 1;

export interface PluginClientOptions extends PluginLaunch {
  /** Who the errors are about (the machine's name); DriverError prefixes it. */
  machine: string;
  /** What the errors call the plugin; default: the command's base name. */
  label?: string;
  heartbeatMs?: number;
  /** Told each time the plugin answers a heartbeat. */
  onHeartbeat?: () => void;
  /**
   * How long a method may take, in ms (none: as long as it takes). Go's net/rpc answers heartbeats beside a call
   * that hangs, so only this catches a Create that never returns; the plugin is stopped when it runs out.
   */
  callTimeoutMs?: (method: string) => number | undefined;
}

/** How long a dead plugin's exit status is awaited for the error message after its connection drops. */
const EXIT_GRACE_MS = 2000;

export class DockerMachinePlugin {
  private service = 'RPCServerDriver';
  private heartbeat: NodeJS.Timeout | null = null;
  private heartbeatSince: number | null = null;
  /** Why the plugin is gone: what happened, and its last words (": panic: ...") when it left any. */
  private failure: { what: string; said: string } | null = null;
  private closing = false;

  private constructor(
    private readonly o: PluginClientOptions,
    readonly label: string,
    private readonly proc: PluginProcess,
    private readonly conn: RpcConnection,
  ) {
    conn.onEnd(() => {
      if (this.heartbeat) clearInterval(this.heartbeat);
      if (!this.closing) void this.settleFailure();
    });
  }

  static async start(o: PluginClientOptions): Promise<DockerMachinePlugin> {
    const label = o.label ?? o.command.split('/').pop() ?? o.command;
    let proc: PluginProcess;
    try {
      proc = await launchPlugin(o);
    } catch (err) {
      throw new DriverError(o.machine, `${label} ${(err as Error).message}`);
    }
    let conn: RpcConnection;
    try {
      conn = await RpcConnection.open(proc.host, proc.port);
    } catch (err) {
      proc.kill();
      throw new DriverError(o.machine, `${label}: ${(err as Error).message}`);
    }
    const plugin = new DockerMachinePlugin(o, label, proc, conn);
    try {
      await plugin.checkVersion();
    } catch (err) {
      await plugin.close();
      throw err;
    }
    plugin.startHeartbeat(o.heartbeatMs ?? 5000);
    return plugin;
  }

  get pid(): number | undefined {
    return this.proc.pid;
  }

  /** Settles when the plugin's process has exited, for whatever reason. */
  get exited(): Promise<unknown> {
    return this.proc.exited;
  }

  getVersion(): Promise<number> {
    return this.call('GetVersion').then((v) => this.expect('GetVersion', v, 'number'));
  }

  async getCreateFlags(): Promise<DockerMachineFlag[]> {
    const reply = await this.call('GetCreateFlags');
    try {
      return flagsFromReply(reply);
    } catch (err) {
      throw this.error('GetCreateFlags', (err as Error).message);
    }
  }

  /** The driver's whole config as JSON (Docker Machine starts a create with {MachineName, StorePath}). */
  async setConfigRaw(config: Record<string, unknown>): Promise<void> {
    await this.call('SetConfigRaw', gobBytes, new Uint8Array(Buffer.from(JSON.stringify(config))));
  }

  /** The driver's config as it would be stored: it may hold tokens, so it goes to a private file, never the state. */
  async getConfigRaw(): Promise<Record<string, unknown>> {
    const raw = await this.call('GetConfigRaw');
    if (!(raw instanceof Uint8Array)) throw this.error('GetConfigRaw', 'answered with something other than bytes');
    try {
      return JSON.parse(Buffer.from(raw).toString('utf8')) as Record<string, unknown>;
    } catch {
      throw this.error('GetConfigRaw', 'answered with bytes that are not JSON');
    }
  }

  async setConfigFromFlags(values: ReadonlyMap<string, FlagValue>): Promise<void> {
    const arg = rpcFlagsArgument(values);
    await this.call('SetConfigFromFlags', arg.type, arg.value);
  }

  async getState(): Promise<DockerMachineState> {
    return stateName(this.expect('GetState', await this.call('GetState'), 'number'));
  }

  getURL(): Promise<string> { return this.text('GetURL'); }
  getIP(): Promise<string> { return this.text('GetIP'); }
  getSSHHostname(): Promise<string> { return this.text('GetSSHHostname'); }
  getSSHUsername(): Promise<string> { return this.text('GetSSHUsername'); }
  getSSHKeyPath(): Promise<string> { return this.text('GetSSHKeyPath'); }
  getMachineName(): Promise<string> { return this.text('GetMachineName'); }
  driverName(): Promise<string> { return this.text('DriverName'); }

  async getSSHPort(): Promise<number> {
    return this.expect('GetSSHPort', await this.call('GetSSHPort'), 'number');
  }

  async preCreateCheck(): Promise<void> { await this.call('PreCreateCheck'); }
  async create(): Promise<void> { await this.call('Create'); }
  async remove(): Promise<void> { await this.call('Remove'); }
  async start(): Promise<void> { await this.call('Start'); }
  async stop(): Promise<void> { await this.call('Stop'); }
  async restart(): Promise<void> { await this.call('Restart'); }
  async kill(): Promise<void> { await this.call('Kill'); }

  /** Asks the plugin to exit (it may do so before answering), and makes sure it has. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    if (this.heartbeat) clearInterval(this.heartbeat);
    if (!this.proc.exit) {
      const asked = this.conn.call(`${this.service}.Close`, emptyStruct, {}).catch(() => undefined);
      const gone = await Promise.race([asked.then(() => this.waitExit(EXIT_GRACE_MS)), this.waitExit(EXIT_GRACE_MS)]);
      if (!gone) this.proc.kill();
      await this.proc.exited;
    }
    this.conn.destroy();
  }

  private async checkVersion(): Promise<void> {
    let version: GobValue;
    try {
      version = await this.conn.call(`${this.service}.GetVersion`, emptyStruct, {});
    } catch (err) {
      if (!(err instanceof RpcRemoteError)) throw await this.callError('GetVersion', err);
      this.service = 'RpcServerDriver';
      version = await this.call('GetVersion');
    }
    if (version !== PLUGIN_API_VERSION) {
      throw this.error('GetVersion', `speaks plugin API version ${String(version)}; mfile speaks ${PLUGIN_API_VERSION}`);
    }
  }

  private startHeartbeat(ms: number): void {
    this.heartbeat = setInterval(() => {
      if (this.heartbeatSince !== null) {
        // The last one is still unanswered: after two periods the plugin is taken as hung.
        if (Date.now() - this.heartbeatSince >= 2 * ms) {
          this.failure = { what: `stopped answering (no heartbeat reply for ${(2 * ms) / 1000} s)`, said: '' };
          this.proc.kill();
          this.conn.destroy();
        }
        return;
      }
      this.heartbeatSince = Date.now();
      this.conn.call(`${this.service}.Heartbeat`, emptyStruct, {}).then(
        () => {
          this.heartbeatSince = null;
          this.o.onHeartbeat?.();
        },
        () => undefined,
      );
    }, ms);
    this.heartbeat.unref();
  }

  private async text(method: string): Promise<string> {
    return this.expect(method, await this.call(method), 'string');
  }

  private expect<T extends 'number' | 'string'>(method: string, v: GobValue, js: T): T extends 'number' ? number : string {
    if (typeof v !== js) throw this.error(method, `answered with a ${typeof v} where a ${js} was expected`);
    return v as T extends 'number' ? number : string;
  }

  private async call(method: string, argType: GobType = emptyStruct, arg: unknown = {}): Promise<GobValue> {
    if (this.failure) throw this.failed(method);
    const ms = this.o.callTimeoutMs?.(method);
    let timer: NodeJS.Timeout | undefined;
    try {
      const answer = this.conn.call(`${this.service}.${method}`, argType, arg);
      if (!ms) return await answer;
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          this.failure ??= { what: `did not answer within ${ms / 1000} s (stopped)`, said: '' };
          this.proc.kill();
          this.conn.destroy();
          reject(new Error('timeout'));
        }, ms);
      });
      return await Promise.race([answer, late]);
    } catch (err) {
      throw await this.callError(method, err);
    } finally {
      clearTimeout(timer);
    }
  }

  private async callError(method: string, err: unknown): Promise<DriverError> {
    if (err instanceof RpcRemoteError) return this.error(method, err.message);
    if (this.closing) return this.error(method, 'the plugin was closed');
    await this.settleFailure();
    return this.failed(method);
  }

  private failed(method: string): DriverError {
    const f = this.failure ?? { what: 'dropped its connection', said: '' };
    return new DriverError(this.o.machine, `${this.label} ${f.what} during ${method}${f.said}`);
  }

  /** Why the plugin is gone, with its exit status and last stderr line when it exits soon enough to say. */
  private async settleFailure(): Promise<void> {
    if (this.failure) return;
    await this.waitExit(EXIT_GRACE_MS);
    if (this.failure) return;
    const said = this.proc.lastErrorLine ? `: ${oneLine(this.proc.lastErrorLine)}` : '';
    this.failure = { what: this.proc.exit ? `died (${this.proc.describeExit()})` : 'dropped its connection', said };
  }

  private async waitExit(ms: number): Promise<boolean> {
    if (this.proc.exit) return true;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => { timer = setTimeout(() => resolve(false), ms); });
    const done = await Promise.race([this.proc.exited.then(() => true as const), timeout]);
    clearTimeout(timer);
    return done;
  }

  private error(method: string, message: string): DriverError {
    return new DriverError(this.o.machine, `${this.label} ${method}: ${oneLine(message)}`);
  }
}

/** The first line, cut: a panic's stack or a multi-line cloud error stays out of a one-line message. */
function oneLine(s: string): string {
  const first = s.split('\n').find((l) => l.trim()) ?? '';
  return first.length > 300 ? `${first.slice(0, 300)}…` : first.trim();
}
