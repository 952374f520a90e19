// Compose's HostConfig keys on a real engine: the built CLI applies a container that uses a handful of them on a
// local-driver machine, `docker inspect` shows each where Compose puts it, the next plan shows no change, and a
// key this engine cannot honour (gpus, with no GPU runtime) is refused at plan time.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ensureBuilt, mfile } from '../helpers/cli.js';
import { cleanupProject, ensureTestImages, TEST_IMAGE } from '../helpers/image.js';
import { DOCKERD, describeNeeding } from '../helpers/prerequisites.js';

const project = `mfhk${process.pid}`;
const dir = mkdtempSync(path.join(tmpdir(), 'mfile-hostkeys-'));
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const inspect = (name: string): any => JSON.parse(execFileSync('docker', ['inspect', name], { encoding: 'utf8' }))[0];
const run = (args: string[]): { code: number | null; out: string } => {
  const r = mfile(args, { cwd: dir });
  return { code: r.code, out: r.stdout + r.stderr };
};

const config = (extra = ''): string => `version: 1
project: ${project}
machines:
  m1: { driver: local }
networks:
  front: { ipam: { config: [{ subnet: 10.213.200.0/24 }] } }
volumes:
  shared: {}
containers:
  data:
    machine: m1
    image: ${TEST_IMAGE}
    command: ["sleep", "3600"]
    volumes: ["shared:/shared"]
  app:
    machine: m1
    image: ${TEST_IMAGE}
    command: ["sleep", "3600"]
    label_file: ./app.labels
    dns_opt: ["ndots:2", "timeout:3"]
    group_add: ["1234"]
    cpuset: "0"
    cpu_period: 100000
    cpu_quota: 50000
    mem_limit: 64m
    oom_kill_disable: true
    oom_score_adj: 300
    mem_swappiness: 10
    cgroup: private
    device_cgroup_rules: ["c 1:3 mr"]
    uts: host
    mac_address: "02:42:0a:d5:c8:42"
    volumes_from: ["data:ro"]
    devices: [{ source: /dev/null, target: /dev/mfile-null, permissions: rw }]
    networks:
      front: { link_local_ips: [169.254.10.10] }
${extra}`;

describeNeeding([DOCKERD])('Compose host keys on a local engine', () => {
  beforeAll(() => {
    ensureTestImages();
    ensureBuilt();
    writeFileSync(path.join(dir, 'app.labels'), '# from a label file\nowner=ops\n');
    writeFileSync(path.join(dir, 'machines.yml'), config());
    const applied = run(['apply', '-y']);
    expect(applied.code, applied.out).toBe(0);
  }, 300_000);

  afterAll(() => {
    run(['destroy', '-y']);
    cleanupProject(project);
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates the container with each key where docker inspect shows it', () => {
    const c = inspect(`${project}-app`);
    const h = c.HostConfig;
    expect(h.DnsOptions).toEqual(['ndots:2', 'timeout:3']);
    expect(h.GroupAdd).toEqual(['1234']);
    expect(h.CpusetCpus).toBe('0');
    expect([h.CpuPeriod, h.CpuQuota]).toEqual([100000, 50000]);
    expect(h.OomKillDisable).toBe(true);
    expect(h.OomScoreAdj).toBe(300);
    expect(h.MemorySwappiness).toBe(10);
    expect(h.CgroupnsMode).toBe('private');
    expect(h.DeviceCgroupRules).toEqual(['c 1:3 mr']);
    expect(h.UTSMode).toBe('host');
    expect(h.VolumesFrom).toEqual([`${project}-data:ro`]);
    expect(h.Devices).toEqual([{ PathOnHost: '/dev/null', PathInContainer: '/dev/mfile-null', CgroupPermissions: 'rw' }]);
    expect(c.Config.MacAddress).toBe('02:42:0a:d5:c8:42');
    expect(c.Config.Labels.owner).toBe('ops');
    expect(c.NetworkSettings.Networks[`${project}_front`].IPAMConfig.LinkLocalIPs).toEqual(['169.254.10.10']);
    // What the container itself sees: the resolver options and the volume of the other container, read-only.
    const sh = (cmd: string): string => execFileSync('docker', ['exec', `${project}-app`, 'sh', '-c', cmd], { encoding: 'utf8' });
    expect(sh('cat /etc/resolv.conf')).toMatch(/^options .*ndots:2/m);
    expect(sh('touch /shared/x 2>&1 || echo refused')).toMatch(/Read-only file system|refused/);
  });

  it('plans no change on the next run', () => {
    const r = run(['plan', '--detailed-exitcode']);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/No changes\./);
  });

  it('refuses at plan time a key this engine cannot honour, in one line, and changes nothing', () => {
    writeFileSync(path.join(dir, 'machines.yml'), config('    gpus: all\n'));
    const r = run(['plan']);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^Error: container\.app\[m1\]: gpus: the engine has no GPU runtime \(docker info lists no nvidia runtime\); remove it or place the container on a machine whose engine can$/m);
    writeFileSync(path.join(dir, 'machines.yml'), config());
    expect(inspect(`${project}-app`).HostConfig.DeviceRequests ?? []).toEqual([]);
  });
});
