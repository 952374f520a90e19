// engine.install: auto on a Debian VM with systemd (qemu, TCG), booted once per run from a cached disk: mfile
// apply over the generic driver installs docker.io with apt, writes the systemd drop-in that resets docker.io's
// `dockerd -H fd://` (it conflicts with `hosts` in daemon.json), restarts docker through systemd, serves mutual
// TLS and runs the container; a second apply changes nothing. Slow by nature (apt + dockerd under TCG: minutes):
// everything happens in this one VM boot. Needs root; the test runs scripts/setup-heavy-hosts.sh (fast when done).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { describeNeeding, ROOT, TUN } from '../helpers/prerequisites.js';
import { ensureBuilt, mfile } from '../helpers/cli.js';
import { APT_PORT, serveAptRepo } from '../helpers/heavy-hosts/apt-repo-server.js';
import { ensureDebianRoot, ensureVmDisk, setupHeavyHosts } from '../helpers/heavy-hosts/cache.js';
import { createBridge, leftovers } from '../helpers/heavy-hosts/network.js';
import { alive } from '../helpers/heavy-hosts/processes.js';
import { cleanUpAfterRun, dockerViaEnv, dockerWithoutClientCert, ensureDemoImage, runDir, writeProject } from '../helpers/heavy-hosts/scenario.js';
import { sshRun } from '../helpers/heavy-hosts/ssh.js';
import { Teardown } from '../helpers/heavy-hosts/teardown.js';
import { bootVm, type VmHost } from '../helpers/heavy-hosts/vm-host.js';

const BRIDGE = 'mfheavy1';
const PREFIX = '10.214.1';
const IP = `${PREFIX}.20`;
const TAP = 'mfhv1tap';
const MACHINE = 'vm';

describeNeeding([ROOT, TUN])('engine.install auto on a Debian VM with systemd', () => {
  const t = new Teardown();
  let dir = '';
  let file = '';
  let vm: VmHost;
  let firstPid = 0;
  const sh = (script: string, timeoutMs?: number) => sshRun(IP, vm.identityFile, script, timeoutMs);
  const dockerdPid = () => Number(sh('systemctl show -p MainPID --value docker').stdout.trim());

  beforeAll(async () => {
    setupHeavyHosts();
    ensureBuilt();
    ensureDemoImage();
    const { repo } = ensureDebianRoot(); // the same docker.io .debs serve the VM's apt
    const cache = ensureVmDisk({ ip: IP, gateway: `${PREFIX}.1`, aptUrl: `http://${PREFIX}.1:${APT_PORT}` });
    dir = runDir('vm');
    const net = createBridge(t, BRIDGE, PREFIX);
    await serveAptRepo(t, repo, net.gateway, dir);
    vm = await bootVm(t, { net, ip: IP, tap: TAP, cache, workDir: dir });
    file = writeProject(dir, { project: 'heavyvm', machine: MACHINE, host: IP, identityFile: vm.identityFile });
  }, 1_500_000);

  cleanUpAfterRun(t, () => ({ dir, file }), { destroyTimeoutMs: 300_000, hookTimeoutMs: 360_000 });

  it('boots as a Debian host with systemd and without Docker', () => {
    const r = sh('. /etc/os-release; echo "$ID $VERSION_ID"; ps -p 1 -o comm=; dpkg -s docker.io');
    expect(r.stdout).toMatch(/^debian 12\nsystemd\n/);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/package 'docker\.io' is not installed/);
    expect(sh('ls /etc/systemd/system/docker.service.d/').code).not.toBe(0);
  });

  it('mfile apply installs docker.io, writes the systemd drop-in and runs docker through systemd', () => {
    const r = mfile(['apply', '-y', '-f', file], { timeoutMs: 900_000 });
    expect(r.stderr + r.stdout).not.toMatch(/error|warning/i);
    expect(r.code).toBe(0);
    expect(sh("dpkg-query -W -f='${Status} ${Version}' docker.io").stdout).toMatch(/^install ok installed 20\./);
    const dropin = sh('cat /etc/systemd/system/docker.service.d/*.conf');
    expect(dropin.code).toBe(0);
    expect(dropin.stdout).toMatch(/^ExecStart=$/m); // resets the unit's `dockerd -H fd://`
    expect(dropin.stdout).toMatch(/^ExecStart=\/usr\/sbin\/dockerd$/m);
    expect(sh('systemctl is-active docker').stdout.trim()).toBe('active');
    expect(sh('systemctl is-enabled docker').stdout.trim()).toBe('enabled');
    firstPid = dockerdPid();
    expect(firstPid).toBeGreaterThan(1);
    expect(sh(`cat /proc/${firstPid}/comm`).stdout.trim()).toBe('dockerd');
  }, 900_000);

  it('the docker CLI with `mfile env` lists the container over mutual TLS', () => {
    const ps = dockerViaEnv(file, MACHINE, ['ps', '--format', '{{.Names}} {{.Image}} {{.State}}'], join(dir, 'docker-cli'));
    expect(ps.stderr).toContain(`DOCKER_HOST=tcp://${IP}:2376`);
    expect(ps.stderr).toContain('DOCKER_TLS_VERIFY=1');
    expect(ps.stderr).toMatch(/DOCKER_CERT_PATH=\//);
    expect(ps.status).toBe(0);
    expect(ps.stdout.trim()).toBe('heavyvm-web mfile-demo/busybox:1 running');
    expect(dockerViaEnv(file, MACHINE, ['info', '--format', '{{.Name}}'], join(dir, 'docker-cli')).stdout.trim()).toBe('mfile-vm');
  });

  it('refuses a client without the certificate', () => {
    const certPath = /DOCKER_CERT_PATH=(\S+)/.exec(dockerViaEnv(file, MACHINE, ['version', '--format', 'x'], join(dir, 'docker-cli')).stderr)![1];
    const r = dockerWithoutClientCert(`tcp://${IP}:2376`, join(certPath, 'ca.pem'), ['ps']);
    expect(r.status).not.toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/certificate/i);
  });

  it('a second apply prints "No changes." and does not restart docker', () => {
    const r = mfile(['apply', '-y', '-f', file], { timeoutMs: 300_000 });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('No changes.');
    expect(dockerdPid()).toBe(firstPid);
    expect(sh('systemctl is-active docker').stdout.trim()).toBe('active');
  }, 300_000);

  it('destroy removes the container and the machine from the state', () => {
    const r = mfile(['destroy', '-y', '-f', file], { timeoutMs: 300_000 });
    expect(r.code).toBe(0);
    expect(sh('docker ps -aq --filter label=io.mfile.project=heavyvm').stdout.trim()).toBe('');
    const state = JSON.parse(readFileSync(join(dirname(file), '.mfile/state.json'), 'utf8')) as { machines: object; objects: object };
    expect(state.machines).toEqual({});
    expect(state.objects).toEqual({});
  }, 300_000);

  // Checks the test's own VM tear-down (a harness check, not mfile's): the next test run starts clean.
  it("harness: the test VM's tear-down stops qemu and leaves no link or rule", async () => {
    expect(await t.run()).toEqual([]);
    expect(alive(vm.pid)).toBe(false);
    expect(leftovers({ bridge: BRIDGE, links: [TAP] })).toEqual([]);
  }, 300_000);
});
