// Runs the built CLI in a real pseudo-terminal: a tmux pane of fixed size on a private tmux server, and returns
// the final screen as a person sees it (plain) and with its colours (escaped, as `capture-pane -e` gives them).
import { spawnSync } from 'node:child_process';
import { setTimeout as delay } from 'node:timers/promises';
import { MFILE_BIN } from './cli.js';

const END = 'MFILE-EXIT=';

export interface Screen {
  plain: string;
  escaped: string;
  code: number;
}

/** `mfile ARGS` in `cwd`, without CI or NO_COLOR; waits at most `boundMs` for it to end. */
export async function runInPane(args: string[], cwd: string, boundMs: number): Promise<Screen> {
  const name = `mfile-pane-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const tmux = (...a: string[]): { code: number | null; out: string } => {
    const r = spawnSync('tmux', ['-L', name, ...a], { encoding: 'utf8' });
    return { code: r.status, out: r.stdout + r.stderr };
  };
  // `read` keeps the pane, and its screen, until the session is killed.
  const script = `cd "$1" && shift && env -u CI -u NO_COLOR "$@"; echo "${END}$?"; read _`;
  const started = tmux('new-session', '-d', '-s', name, '-x', '150', '-y', '50', 'sh', '-c', script, 'sh', cwd, process.execPath, MFILE_BIN, ...args);
  if (started.code !== 0) throw new Error(`tmux did not start: ${started.out}`);
  try {
    const until = Date.now() + boundMs;
    let plain = tmux('capture-pane', '-p', '-t', name).out;
    while (!plain.includes(END)) {
      if (Date.now() > until) throw new Error(`mfile ${args.join(' ')} did not end within ${boundMs} ms; the screen:\n${plain}`);
      await delay(100);
      plain = tmux('capture-pane', '-p', '-t', name).out;
    }
    const escaped = tmux('capture-pane', '-p', '-e', '-t', name).out;
    const code = Number(/MFILE-EXIT=(\d+)/.exec(plain)![1]);
    return { plain, escaped, code };
  } finally {
    tmux('kill-server');
  }
}
