// Starting a Docker Machine driver binary as a plugin: the token and driver name go in its environment, it listens
// on a loopback port and prints that address as its first line on stdout; everything after is its log.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface PluginLaunch {
  /** The binary: a path, or a name looked up on PATH (docker-machine-driver-NAME). */
  command: string;
  args?: string[];
  /** MACHINE_PLUGIN_DRIVER_NAME: which driver a multi-driver binary (docker-machine itself) serves. */
  driverName: string;
  env?: NodeJS.ProcessEnv;
  /** The plugin's log lines: stdout after the address (Docker Machine's info level; its debug level on stderr is
   *  kept only for error messages). */
  onLine?: (line: string) => void;
  /** How long it may take to print its address; Docker Machine waits 10 s. */
  addressTimeoutMs?: number;
}

export interface PluginExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A plugin may only point mfile at itself: an address on this host's loopback. */
const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}):(\d{1,5})$/;

export class PluginProcess {
  exit: PluginExit | null = null;
  /** The last line it wrote to stderr, or a Go panic's first line, for error messages. */
  lastErrorLine = '';
  readonly exited: Promise<PluginExit>;

  constructor(
    private readonly child: ChildProcess,
    readonly host: string,
    readonly port: number,
    exited: Promise<PluginExit>,
  ) {
    this.exited = exited;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  kill(): void {
    if (!this.exit) this.child.kill('SIGKILL');
  }

  /** "exit code 2", "signal SIGKILL", or "still running". */
  describeExit(): string {
    if (!this.exit) return 'still running';
    return this.exit.signal ? `signal ${this.exit.signal}` : `exit code ${this.exit.code}`;
  }
}

export function launchPlugin(o: PluginLaunch): Promise<PluginProcess> {
  const child = spawn(o.command, o.args ?? [], {
    env: { ...(o.env ?? process.env), MACHINE_PLUGIN_TOKEN: '42', MACHINE_PLUGIN_DRIVER_NAME: o.driverName },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let exit: PluginExit | null = null;
  let lastErrorLine = '';
  let proc: PluginProcess | null = null;
  const exited = new Promise<PluginExit>((resolve) => {
    child.once('exit', (code, signal) => {
      exit = { code, signal };
      if (proc) proc.exit = exit;
      resolve(exit);
    });
  });
  // Both streams are read to the end so a chatty plugin never blocks on a full pipe.
  let notable = false;
  createInterface({ input: child.stderr! }).on('line', (line) => {
    // A Go panic or fatal error names itself on its first line and then prints a stack: keep that line.
    if (/^(panic|fatal error): /.test(line)) {
      lastErrorLine = line.trim();
      notable = true;
    } else if (line.trim() && !notable) lastErrorLine = line.trim();
    if (proc) proc.lastErrorLine = lastErrorLine;
  });
  const stdout = createInterface({ input: child.stdout! });
  return new Promise<PluginProcess>((resolve, reject) => {
    const fail = (why: string): void => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(why));
    };
    const timer = setTimeout(() => fail(`printed no address within ${(o.addressTimeoutMs ?? 10_000) / 1000} s`), o.addressTimeoutMs ?? 10_000);
    timer.unref();
    child.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(new Error(err.code === 'ENOENT' ? 'not found (is it on PATH?)' : `could not be started: ${err.message}`));
    });
    void exited.then((e) => {
      if (proc) return;
      clearTimeout(timer);
      const said = lastErrorLine ? `: ${lastErrorLine}` : '';
      reject(new Error(`exited before it listened (${e.signal ? `signal ${e.signal}` : `exit code ${e.code}`})${said}`));
    });
    stdout.on('line', (line) => {
      if (proc) {
        o.onLine?.(line);
        return;
      }
      const m = LOOPBACK.exec(line.trim());
      if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535) {
        fail(`printed ${JSON.stringify(line.slice(0, 80))} where a loopback address (127.0.0.1:PORT) was expected`);
        return;
      }
      clearTimeout(timer);
      proc = new PluginProcess(child, m[1], Number(m[2]), exited);
      proc.lastErrorLine = lastErrorLine;
      resolve(proc);
    });
  });
}
