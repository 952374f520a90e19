// The qemu driver end to end, with one VM (TCG here: KVM guests do not run on this kind of machine). The
// cloud-like image is built offline once and cached by content, then served over HTTP on loopback, so the
// driver's real download + checksum path runs into a per-run cache. apply boots the VM with a NoCloud seed,
// cloud-init takes the machine's key, Docker is installed over SSH from a local apt repository (10.0.2.2 in the
// guest is this computer's loopback), and the container answers on a forwarded port; stop then start brings it
// back; a second apply changes nothing; destroy leaves no process, disk or port. Slow by nature (minutes).
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { freePort } from '../../src/drivers/qemu/ports.js';
import { ensureBuilt, mfile, type CliResult } from '../helpers/cli.js';
import { serveAptRepo, serveFolder } from '../helpers/heavy-hosts/apt-repo-server.js';
import { CLOUD_APT_PORT, ensureCloudImage, ensureDebianRoot, setupHeavyHosts } from '../helpers/heavy-hosts/cache.js';
import { alive } from '../helpers/heavy-hosts/processes.js';
import { cleanUpAfterRun, DEMO_IMAGE, ensureDemoImage, runDir } from '../helpers/heavy-hosts/scenario.js';
import { Teardown } from '../helpers/heavy-hosts/teardown.js';
import { describeNeeding, ROOT } from '../helpers/prerequisites.js';

/** True when something accepts a TCP connection on 127.0.0.1:port. */
function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = connect({ host: '127.0.0.1', port });
    c.once('connect', () => {
      c.destroy();
      resolve(true);
    });
    c.once('error', () => resolve(false));
  });
}

const MACHINE = 'vm';

describeNeeding([ROOT])('qemu driver: a VM from a cloud image', () => {
  const t = new Teardown();
  let dir = '';
  let file = '';
  let webPort = 0;
  let env: NodeJS.ProcessEnv = {};
  // -f right after the verb: after `--` (mfile ssh) it would belong to the remote command.
  const run = (args: string[], timeoutMs = 300_000): CliResult => mfile([args[0], '-f', file, ...args.slice(1)], { env, timeoutMs });
  const machineDir = () => join(dirname(file), '.mfile/machines', MACHINE);
  const record = () =>
    (JSON.parse(readFileSync(join(dirname(file), '.mfile/state.json'), 'utf8')) as { machines: Record<string, { driverData: Record<string, unknown> }> })
      .machines[MACHINE];
  const qemuPid = () => Number(readFileSync(join(machineDir(), 'qemu.pid'), 'utf8').trim());
  const web = async () => {
    const r = await fetch(`http://127.0.0.1:${webPort}/`, { signal: AbortSignal.timeout(20_000) });
    return { status: r.status, body: await r.text() };
  };
  /** After a boot, dockerd restarts the container on its own (restart policy): poll until it answers. */
  const webOnceUp = async () => {
    const deadline = Date.now() + 180_000;
    for (;;) {
      try {
        return await web();
      } catch (e) {
        if (Date.now() > deadline) throw e;
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  };

  beforeAll(async () => {
    setupHeavyHosts();
    ensureBuilt();
    ensureDemoImage();
    const { repo } = ensureDebianRoot(); // the docker.io .debs
    const image = ensureCloudImage();
    dir = runDir('qemu');
    await serveAptRepo(t, repo, '127.0.0.1', dir, CLOUD_APT_PORT);
    const imageUrl = await serveFolder(t, dirname(image.image), '127.0.0.1', await freePort(), join(dir, 'image-httpd.log'), 'image server');
    webPort = await freePort();
    env = { XDG_CACHE_HOME: join(dir, 'cache') };
    const project = join(dir, 'qemuvm');
    mkdirSync(project);
    file = join(project, 'machines.yml');
    writeFileSync(
      file,
      `version: 1
project: qemuvm
machines:
  ${MACHINE}:
    driver: qemu
    qemu:
      image: ${imageUrl}/base.qcow2
      checksum: sha256:${image.sha256}
      cpus: 2
      memory: 1g
      disk_size: 4g
      forward: ["${webPort}:8080"]
containers:
  web:
    machine: ${MACHINE}
    image: ${DEMO_IMAGE}
    command: ["httpd", "-f", "-p", "80", "-h", "/www"]
    ports: ["8080:80"]
    restart: unless-stopped
    stop_grace_period: 1s
`,
    );
  }, 1_500_000);

  cleanUpAfterRun(t, () => ({ dir, file }), { destroyTimeoutMs: 300_000, hookTimeoutMs: 360_000 });

  it('apply downloads the image, boots the VM, installs Docker over SSH and runs the container on its forwarded port', async () => {
    const r = run(['apply', '-y'], 1_500_000);
    expect(r.code).toBe(0);
    const out = r.stdout + r.stderr; // progress lines go to stderr
    // The accelerator is stated: KVM guests hang here, so the bounded probe falls back to TCG.
    expect(out).toMatch(/vm: starting qemu \(tcg: a KVM probe guest did not run within 5 s;/);
    expect(out).toMatch(/vm: downloading http:\/\/127\.0\.0\.1:\d+\/base\.qcow2/);
    expect(out).toMatch(/installing Docker on Debian GNU\/Linux 12/);
    // One verified image in the per-user cache, no partial file beside it.
    expect(readdirSync(join(dir, 'cache/mfile/images'))).toEqual([expect.stringMatching(/^sha256-[0-9a-f]{32}-base\.qcow2$/)]);
    const d = record().driverData;
    expect(d).toMatchObject({ accel: 'tcg', forwards: [{ hostPort: webPort, guestPort: 8080 }] });
    expect(await web()).toMatchObject({ status: 200, body: expect.stringContaining('served by mfile') });
  }, 1_500_000);

  it('cloud-init set the machine up from the seed: hostname, the sudo user with the machine key', () => {
    const r = run(['ssh', MACHINE, '--', 'sh', '-c', 'hostname; id -un; sudo -n cloud-init status --wait | tail -n 1'], 120_000);
    expect(r.stderr).toBe('');
    expect(r.stdout.split('\n').slice(0, 3)).toEqual(['vm', 'mfile', 'status: done']);
  }, 120_000);

  it('ls and status show the VM running (status from QMP)', () => {
    expect(run(['status', MACHINE]).stdout.trim()).toBe('Running');
    expect(run(['ls']).stdout).toMatch(/^vm\s+qemu\s+running\s+tcp:\/\/127\.0\.0\.1:\d+/im);
  });

  it('stop powers the VM off; start boots it again on the same ports and the container answers again', async () => {
    const before = record().driverData;
    const pid = qemuPid();
    const stop = run(['stop', MACHINE], 300_000);
    expect(stop.code).toBe(0);
    // The guest powered itself off when asked (ACPI through QMP): its kernel says so last on the console.
    expect(readFileSync(join(machineDir(), 'console.log'), 'utf8')).toMatch(/reboot: Power down\s*$/);
    expect(alive(pid)).toBe(false);
    expect(run(['status', MACHINE]).stdout.trim()).toBe('Stopped');
    const start = run(['start', MACHINE], 1_200_000);
    expect(start.stdout + start.stderr).not.toMatch(/error/i);
    expect(start.code).toBe(0);
    expect(alive(qemuPid())).toBe(true);
    expect(record().driverData).toEqual(before);
    expect(await webOnceUp()).toMatchObject({ status: 200, body: expect.stringContaining('served by mfile') });
  }, 1_500_000);

  it('a second apply changes nothing', () => {
    const r = run(['apply', '-y'], 300_000);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('No changes.');
  }, 300_000);

  it('destroy leaves no qemu process, no disk or seed, no listening port, and keeps the cached image', async () => {
    const d = record().driverData as { sshPort: number; enginePort: number };
    const pid = qemuPid();
    const r = run(['destroy', '-y'], 300_000);
    expect(r.code).toBe(0);
    expect(alive(pid)).toBe(false);
    expect(existsSync(machineDir())).toBe(false);
    // What a user checks: nothing answers on the forwarded ports any more. (Whether the port can be bound again
    // also depends on this test's own keep-alive connection to the web port, which the kernel closes later.)
    // qemu's user network stack may still answer for a moment while the killed process is torn down: wait (bounded).
    for (const p of [d.sshPort, d.enginePort, webPort]) {
      const deadline = Date.now() + 30_000;
      while ((await answers(p)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      expect(await answers(p), `127.0.0.1:${p}`).toBe(false);
    }
    expect(readdirSync(join(dir, 'cache/mfile/images'))).toHaveLength(1);
  }, 300_000);
});
