// engine.install: auto on a host that really lacks Docker: a namespace host with its own Debian root (cached
// debootstrap, overlay + pivot_root), apt pointed at a local repository of the docker.io .debs. mfile apply over
// the generic driver installs docker.io with apt, starts dockerd itself (no systemd), serves mutual TLS and runs
// the container; a second apply changes nothing; destroy removes what it made; the test's tear-down leaves nothing.
// Needs root; scripts/setup-heavy-hosts.sh installs the tools (the test runs it, fast when done).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { describeNeeding, ROOT } from '../helpers/prerequisites.js';
import { ensureBuilt, mfile } from '../helpers/cli.js';
import { serveAptRepo } from '../helpers/heavy-hosts/apt-repo-server.js';
import { ensureDebianRoot, setupHeavyHosts } from '../helpers/heavy-hosts/cache.js';
import { startDebianRootHost, type DebianRootHost } from '../helpers/heavy-hosts/debian-root-host.js';
import { createBridge, leftovers } from '../helpers/heavy-hosts/network.js';
import { alive, commOf, hostPidInNs } from '../helpers/heavy-hosts/processes.js';
import { cleanUpAfterRun, dockerViaEnv, dockerWithoutClientCert, ensureDemoImage, runDir, writeProject } from '../helpers/heavy-hosts/scenario.js';
import { sshRun } from '../helpers/heavy-hosts/ssh.js';
import { Teardown } from '../helpers/heavy-hosts/teardown.js';

const BRIDGE = 'mfheavy0';
const PREFIX = '10.214.0';
const IP = `${PREFIX}.10`;
const MACHINE = 'deb';

describeNeeding([ROOT])('engine.install auto on a host with its own Debian root', () => {
  const t = new Teardown();
  let dir = '';
  let file = '';
  let host: DebianRootHost;
  let firstPid = 0;
  const sh = (script: string) => sshRun(IP, host.identityFile, script);
  const dockerdPid = () => Number(sh('cat /var/run/docker.pid').stdout.trim());

  beforeAll(async () => {
    setupHeavyHosts();
    ensureBuilt();
    ensureDemoImage();
    const cache = ensureDebianRoot();
    dir = runDir('debian-root');
    const net = createBridge(t, BRIDGE, PREFIX);
    const aptUrl = await serveAptRepo(t, cache.repo, net.gateway, dir);
    host = await startDebianRootHost(t, { net, name: MACHINE, ip: IP, lowerRoot: cache.root, aptUrl, workDir: dir });
    file = writeProject(dir, { project: 'heavyroot', machine: MACHINE, host: IP, identityFile: host.identityFile });
  }, 900_000);

  cleanUpAfterRun(t, () => ({ dir, file }), { destroyTimeoutMs: 120_000, hookTimeoutMs: 120_000 });

  it('starts as a Debian host without Docker', () => {
    const r = sh('. /etc/os-release; echo "$ID $VERSION_ID"; hostname; dpkg -s docker.io');
    expect(r.stdout).toMatch(/^debian 12\n/);
    expect(r.stdout).toContain(`${MACHINE}\n`);
    expect(r.code).not.toBe(0); // dpkg -s: not installed
    expect(r.stderr).toMatch(/package 'docker\.io' is not installed/);
    expect(sh('command -v dockerd').code).not.toBe(0);
    expect(sh('test -d /run/systemd/system').code).not.toBe(0); // no systemd: the supervised-dockerd path
  });

  it('mfile apply installs docker.io with apt, starts dockerd and runs the container', () => {
    const r = mfile(['apply', '-y', '-f', file], { timeoutMs: 300_000 });
    expect(r.stderr + r.stdout).not.toMatch(/error/i);
    expect(r.code).toBe(0);
    const dpkg = sh("dpkg-query -W -f='${Status} ${Version}' docker.io");
    expect(dpkg.stdout).toMatch(/^install ok installed 20\./);
    expect(sh('command -v dockerd').stdout.trim()).toBe('/usr/sbin/dockerd');
    firstPid = dockerdPid();
    expect(firstPid).toBeGreaterThan(1);
    // It is this host's dockerd (inside the host's PID namespace), started by mfile: nothing else starts it here.
    expect(commOf(hostPidInNs(host.pids(), firstPid))).toBe('dockerd');
   }, 300_000);

  it('the docker CLI with `mfile env` lists the container over mutual TLS', () => {
    const ps = dockerViaEnv(file, MACHINE, ['ps', '--format', '{{.Names}} {{.Image}} {{.State}}'], join(dir, 'docker-cli'));
    expect(ps.stderr).toContain(`DOCKER_HOST=tcp://${IP}:2376`);
    expect(ps.stderr).toContain('DOCKER_TLS_VERIFY=1');
    expect(ps.stderr).toMatch(/DOCKER_CERT_PATH=\//);
    expect(ps.status).toBe(0);
    expect(ps.stdout.trim()).toBe('heavyroot-web mfile-demo/busybox:1 running');
    const name = dockerViaEnv(file, MACHINE, ['info', '--format', '{{.Name}}'], join(dir, 'docker-cli'));
    expect(name.stdout.trim()).toBe(MACHINE); // this host's daemon, not the controller's
  });

  it('refuses a client without the certificate', () => {
    const certPath = /DOCKER_CERT_PATH=(\S+)/.exec(dockerViaEnv(file, MACHINE, ['version', '--format', 'x'], join(dir, 'docker-cli')).stderr)![1];
    const r = dockerWithoutClientCert(`tcp://${IP}:2376`, join(certPath, 'ca.pem'), ['ps']);
    expect(r.status).not.toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/certificate/i);
  });

  it('a second apply prints "No changes." and leaves dockerd running as it was', () => {
    const r = mfile(['apply', '-y', '-f', file], { timeoutMs: 120_000 });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('No changes.');
    expect(dockerdPid()).toBe(firstPid);
  });

  it('destroy removes the container and the machine from the state', () => {
    const r = mfile(['destroy', '-y', '-f', file], { timeoutMs: 120_000 });
    expect(r.code).toBe(0);
    expect(sh('docker ps -aq --filter label=io.mfile.project=heavyroot').stdout.trim()).toBe('');
    const state = JSON.parse(readFileSync(join(dirname(file), '.mfile/state.json'), 'utf8')) as { machines: object; objects: object };
    expect(state.machines).toEqual({});
    expect(state.objects).toEqual({});
  });

  // Checks the test's own host tear-down (a harness check, not mfile's): the next test run starts clean.
  it("harness: the test host's tear-down leaves no process, namespace, link or rule", async () => {
    const pids = host.pids();
    expect(pids.length).toBeGreaterThan(2); // tini, sshd, dockerd, containerd ...
    expect(await t.run()).toEqual([]);
    expect(pids.filter(alive)).toEqual([]);
    expect(leftovers({ bridge: BRIDGE, netns: host.netns, links: [host.veth] })).toEqual([]);
  });
});

