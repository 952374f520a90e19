// The KVM probe reads every way a probe qemu can end: computers differ in how their KVM fails (a guest that
// hangs, an internal error, a qemu that refuses to start or aborts), and each must give TCG with a reason the
// user can act on. The qemu binaries here are small scripts that end each way (the real guest under emulation is
// run in preflight.test.ts, and a real VM in test/e2e/qemu-vm.test.ts).
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { probeKvm } from '../../../src/drivers/qemu/accel.js';
import { PROBE_EXIT_CODE } from '../../../src/drivers/qemu/probe-guest.js';

const dir = mkdtempSync(path.join(tmpdir(), 'mfile-kvm-probe-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A stand-in for the KVM device: the probe only checks that it can open it for reading and writing. */
const device = path.join(dir, 'kvm');
writeFileSync(device, '');

function qemu(name: string, body: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, `#!/bin/sh\n${body}\n`);
  chmodSync(file, 0o755);
  return file;
}

it('chooses KVM when the probe guest reaches its exit under KVM, given KVM and the probe sector', async () => {
  // Exits as the guest does only when asked for KVM with a 512-byte boot sector.
  const bin = qemu('runs', `case " $* " in *" -accel kvm "*) ;; *) exit 1;; esac
for a in "$@"; do case "$a" in file=*) f=\${a#file=}; f=\${f%%,*};; esac; done
[ "$(wc -c < "$f")" -eq 512 ] && exit ${PROBE_EXIT_CODE}; exit 2`);
  await expect(probeKvm(bin, 5000, device)).resolves.toEqual({ accel: 'kvm', reason: 'a KVM probe guest ran' });
});

it('chooses TCG at once, without waiting out the timeout, when qemu reports a KVM internal error', async () => {
  const bin = qemu('internal-error', 'echo "KVM internal error. Suberror: 1" >&2; echo "emulation failure" >&2; exec sleep 60');
  const t0 = Date.now();
  await expect(probeKvm(bin, 30_000, device)).resolves.toEqual({ accel: 'tcg', reason: 'KVM could not run a probe guest (KVM internal error)' });
  expect(Date.now() - t0).toBeLessThan(20_000);
});

it('chooses TCG when the probe guest hangs, naming the bound', async () => {
  const bin = qemu('hangs', 'exec sleep 60');
  await expect(probeKvm(bin, 500, device)).resolves.toEqual({ accel: 'tcg', reason: 'a KVM probe guest did not run within 0.5 s' });
});

it('chooses TCG when qemu fails, quoting the error qemu ended with', async () => {
  const bin = qemu('refuses', `echo "qemu-system-x86_64: warning: host doesn't support requested feature: CPUID.01H:ECX.vmx [bit 5]" >&2
echo "qemu-system-x86_64: failed to initialize kvm: Operation not permitted" >&2; exit 1`);
  await expect(probeKvm(bin, 5000, device)).resolves.toEqual({
    accel: 'tcg',
    reason: 'a KVM probe guest failed (qemu-system-x86_64: failed to initialize kvm: Operation not permitted)',
  });
});

it('chooses TCG when qemu dies silently, naming its exit code or signal', async () => {
  await expect(probeKvm(qemu('exits', 'exit 3'), 5000, device)).resolves.toEqual({ accel: 'tcg', reason: 'a KVM probe guest failed (exit 3)' });
  await expect(probeKvm(qemu('aborts', 'kill -ABRT $$'), 5000, device)).resolves.toEqual({ accel: 'tcg', reason: 'a KVM probe guest failed (qemu was killed by SIGABRT)' });
});

it('chooses TCG when qemu cannot be started, or there is no KVM device to open', async () => {
  const gone = await probeKvm(path.join(dir, 'no-such-qemu'), 5000, device);
  expect(gone.accel).toBe('tcg');
  expect(gone.reason).toMatch(/^a KVM probe guest failed \(spawn .*no-such-qemu ENOENT\)$/);
  await expect(probeKvm(qemu('unused', 'exit 0'), 5000, path.join(dir, 'no-kvm'))).resolves.toEqual({ accel: 'tcg', reason: `${path.join(dir, 'no-kvm')} is not available` });
});
