// The Debian VM test host: qemu under TCG (KVM guests do not run on this kind of machine) booting the cached
// disk with -snapshot (writes are thrown away, so every run starts without Docker), its NIC a tap on the
// heavy-hosts bridge. Started here and stopped by its pid.
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { VmCache } from './cache.js';
import { createTap, type HeavyNet } from './network.js';
import { alive, startBackground, stopPid } from './processes.js';
import { sshRun } from './ssh.js';
import type { Teardown } from './teardown.js';

export interface VmHost {
  ip: string;
  tap: string;
  pid: number;
  identityFile: string;
  console: string;
}

export async function bootVm(t: Teardown, opts: { net: HeavyNet; ip: string; tap: string; cache: VmCache; workDir: string; bootTimeoutMs?: number }): Promise<VmHost> {
  const { net, ip, tap, cache, workDir } = opts;
  createTap(t, net, tap);
  const consoleLog = join(workDir, 'vm-console.log');
  const pid = startBackground(
    [
      'qemu-system-x86_64', '-accel', 'tcg', '-smp', '2', '-m', '1024',
      '-nodefaults', '-no-user-config', '-display', 'none', '-serial', `file:${consoleLog}`,
      '-kernel', cache.kernel, '-initrd', cache.initrd, '-append', 'root=/dev/vda rw console=ttyS0 quiet',
      '-drive', `file=${cache.disk},format=raw,if=virtio`, '-snapshot',
      '-netdev', `tap,id=n0,ifname=${tap},script=no,downscript=no`, '-device', 'virtio-net-pci,netdev=n0,mac=52:54:00:d6:01:14',
    ],
    join(workDir, 'qemu.log'),
  );
  t.add(`qemu (pid ${pid})`, () => stopPid(pid));
  // Logged in, not just a banner. About 20 s on an idle machine; minutes when other work shares the CPUs (TCG).
  const deadline = Date.now() + (opts.bootTimeoutMs ?? 420_000);
  for (;;) {
    if (!alive(pid)) throw new Error(`qemu exited during boot; see ${join(workDir, 'qemu.log')} and ${consoleLog}`);
    if (sshRun(ip, cache.identityFile, 'true', 15_000).code === 0) break;
    if (Date.now() > deadline) throw new Error(`the VM did not answer SSH on ${ip} in time; see ${consoleLog}`);
    await sleep(2000);
  }
  return { ip, tap, pid, identityFile: cache.identityFile, console: consoleLog };
}
