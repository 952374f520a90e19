// accel: auto. /dev/kvm can open while KVM guests still hang (nested virtualisation without the features a
// guest needs), so the probe boots a real guest (probe-guest.ts): a boot sector that goes through what a
// bootloader does and then ends qemu with a known code. Bounded: a guest that does not get there in time, or
// that KVM stops with an internal error, means TCG.
import { spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROBE_EXIT_CODE, probeBootSector } from './probe-guest.js';

export interface AccelChoice {
  accel: 'kvm' | 'tcg';
  /** Why, for the progress line and the plan. */
  reason: string;
}

const KVM_INTERNAL_ERROR = 'KVM internal error';

/** How the probe qemu ended: stopped by the probe and why, else its exit code or signal; and its last stderr. */
interface ProbeOutcome {
  stopped?: 'timeout' | 'internal-error';
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/**
 * Runs the probe guest under KVM. Stops it as soon as qemu reports that KVM could not run an instruction (qemu
 * then pauses the guest instead of exiting, so waiting would only time out).
 */
function runProbe(binary: string, image: string, timeoutMs: number): Promise<ProbeOutcome> {
  return new Promise((resolve) => {
    let stopped: ProbeOutcome['stopped'];
    let stderr = '';
    const child = spawn(
      binary,
      ['-accel', 'kvm', '-display', 'none', '-nodefaults', '-no-user-config', '-m', '16',
        '-device', 'isa-debug-exit,iobase=0xf4,iosize=0x04', '-drive', `file=${image},format=raw,if=floppy`],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    const stop = (why: NonNullable<ProbeOutcome['stopped']>): void => {
      stopped ??= why;
      child.kill('SIGKILL');
    };
    const timer = setTimeout(() => stop('timeout'), timeoutMs);
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-4096);
      if (stderr.includes(KVM_INTERNAL_ERROR)) stop('internal-error');
    });
    child.on('error', (e) => {
      stderr ||= e.message; // not started: 'close' follows with no code
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ stopped, code, signal, stderr });
    });
  });
}

/**
 * What a probe qemu that ended by itself, without the guest's exit, says went wrong: its own last line
 * (warnings come first, the error that ended it last), else its signal or exit code.
 */
function failure(outcome: ProbeOutcome): string {
  const said = outcome.stderr.split('\n').map((l) => l.trim()).filter(Boolean).at(-1);
  if (said) return said.length > 160 ? `${said.slice(0, 159)}…` : said;
  return outcome.signal ? `qemu was killed by ${outcome.signal}` : `exit ${outcome.code ?? -1}`;
}

/**
 * Whether KVM runs a guest here, by the probe: KVM when the probe guest reached its exit, TCG with the reason
 * otherwise. `device` is the KVM device to check first.
 */
export async function probeKvm(binary: string, timeoutMs: number, device = '/dev/kvm'): Promise<AccelChoice> {
  try {
    await access(device, constants.R_OK | constants.W_OK);
  } catch {
    return { accel: 'tcg', reason: `${device} is not available` };
  }
  const dir = await mkdtemp(join(tmpdir(), 'mfile-kvm-probe-'));
  try {
    const image = join(dir, 'probe.img');
    await writeFile(image, probeBootSector());
    const outcome = await runProbe(binary, image, timeoutMs);
    if (outcome.stopped === 'internal-error') return { accel: 'tcg', reason: 'KVM could not run a probe guest (KVM internal error)' };
    if (outcome.stopped === 'timeout') return { accel: 'tcg', reason: `a KVM probe guest did not run within ${timeoutMs / 1000} s` };
    if (outcome.code === PROBE_EXIT_CODE) return { accel: 'kvm', reason: 'a KVM probe guest ran' };
    return { accel: 'tcg', reason: `a KVM probe guest failed (${failure(outcome)})` };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

let cached: Promise<AccelChoice> | undefined;

/** The accelerator the plan carries (refresh probed it), so a create does not probe again; none without a probe. */
export function plannedAccel(choices: Record<string, string> | undefined): AccelChoice | undefined {
  const accel = choices?.accel;
  if (accel !== 'kvm' && accel !== 'tcg') return undefined;
  return { accel, reason: choices?.accelReason ?? 'as planned' };
}

/** The accelerator for `accel`; the probe runs once per mfile process. */
export function chooseAccel(accel: 'auto' | 'kvm' | 'tcg', binary: string, timeoutMs = 5000): Promise<AccelChoice> {
  if (accel === 'kvm') return Promise.resolve({ accel: 'kvm', reason: 'qemu.accel: kvm' });
  if (accel === 'tcg') return Promise.resolve({ accel: 'tcg', reason: 'qemu.accel: tcg' });
  cached ??= probeKvm(binary, timeoutMs);
  return cached;
}
