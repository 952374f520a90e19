// Waiting for a booting VM: the forwarded SSH port answers with an SSH banner (user networking accepts the TCP
// connection on the host side even before the guest listens, so a connect alone proves nothing).
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { DriverError } from '../../errors.js';
import { alive } from './process.js';
import { queryStatus } from './qmp.js';

export function sshBanner(port: number, timeoutMs = 3000, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host, port, timeout: timeoutMs });
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.once('data', (b: Buffer) => done(b.toString('latin1').startsWith('SSH-')));
    s.once('timeout', () => done(false));
    s.once('error', () => done(false));
    s.once('end', () => done(false));
  });
}

function consoleTail(file: string): string {
  try {
    const lines = readFileSync(file, 'utf8').replace(/\r/g, '').split('\n').map((l) => l.trim()).filter(Boolean);
    return lines.slice(-3).join(' | ');
  } catch {
    return 'no console output';
  }
}

/** MFILE_QEMU_BOOT_TIMEOUT (seconds) overrides; emulated (TCG) boots of a cloud image take minutes on a busy host. */
export function bootTimeoutMs(): number {
  const s = Number(process.env.MFILE_QEMU_BOOT_TIMEOUT);
  return s > 0 ? s * 1000 : 900_000;
}

/**
 * Why a guest that qemu keeps but will never run again stopped, by qemu's run state, or undefined while it may
 * still boot. qemu pauses such a guest instead of exiting, so without this the boot wait would run out its
 * full timeout (15 minutes) before saying anything.
 */
export function stoppedForGood(status: string): string | undefined {
  if (status === 'internal-error') return 'KVM stopped the guest with an internal error: this computer\'s KVM cannot run it (set qemu.accel: tcg)';
  if (status === 'guest-panicked') return 'the guest panicked while it booted';
  if (status === 'io-error') return 'qemu paused the guest on a disk I/O error (is the disk full?)';
  if (status === 'shutdown') return 'the guest shut down while it booted';
  return undefined;
}

/** `at` is where the machine's SSH answers: a forwarded 127.0.0.1 port, or its bridge address on port 22. */
export async function waitForSsh(
  machine: string,
  pid: number,
  at: { host: string; port: number },
  files: { consoleLog: string; qmpSocket: string },
  signal?: AbortSignal,
  log?: (l: string) => void,
): Promise<void> {
  const { host, port } = at;
  const { consoleLog, qmpSocket } = files;
  const timeout = bootTimeoutMs();
  const started = Date.now();
  let said = 0;
  for (;;) {
    signal?.throwIfAborted();
    if (!alive(pid)) throw new DriverError(machine, `qemu exited while the machine booted; console: ${consoleTail(consoleLog)}`);
    // A QMP answer that does not come is no verdict: the SSH wait and its timeout still decide.
    const stopped = stoppedForGood(await queryStatus(qmpSocket, 2000).then((s) => s.status, () => 'unknown'));
    if (stopped) throw new DriverError(machine, `${stopped}; console: ${consoleTail(consoleLog)}`);
    if (await sshBanner(port, 3000, host)) return;
    const waited = Date.now() - started;
    if (waited > timeout) {
      throw new DriverError(machine, `SSH did not answer on ${host}:${port} within ${Math.round(timeout / 1000)} s of boot; console: ${consoleTail(consoleLog)}`);
    }
    if (waited - said >= 30_000) {
      said = waited;
      log?.(`${machine}: booting (${Math.round(waited / 1000)} s)`);
    }
    await sleep(1000, undefined, { signal });
  }
}
