// The Compose service keys that map onto the Engine's HostConfig: read from machines.yml, sent to the engine as
// Compose sends them, shown in the plan as written, covered by the config hash, and refused at plan time by an
// engine that cannot honour them.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { builtinCatalog } from '../../src/drivers/catalog.js';
import type { EngineFacts, Observed, State } from '../../src/model/index.js';
import { containerAttributes, containerConfigHash, containerMisfits, engineMisfits, networkMisfits, plan, renderPlanText } from '../../src/plan/index.js';
import { containerCreateOptions } from '../../src/remote/docker/container-config.js';
import { project } from './helpers.js';

const yml = `version: 1
project: hk
machines:
  m1: { driver: local }
networks:
  back: { enable_ipv4: false }
containers:
  db:
    machine: m1
    image: postgres:16
  web:
    machine: m1
    image: nginx:1.27
    label_file: ./web.labels
    labels: { tier: front }
    dns_opt: ["ndots:2"]
    group_add: [audio, 1001]
    cpuset: "0"
    cpu_period: 100000
    cpu_quota: 50000
    cpu_rt_period: 1s
    cpu_rt_runtime: 950000
    oom_kill_disable: true
    oom_score_adj: 500
    mem_swappiness: 10
    blkio_config:
      weight: 300
      device_read_bps: [{ path: /dev/sda, rate: 10m }]
      device_write_iops: [{ path: /dev/sda, rate: 120 }]
    cgroup: private
    cgroup_parent: /mfile
    device_cgroup_rules: ["c 1:3 mr"]
    userns_mode: host
    uts: host
    mac_address: "02:42:ac:11:65:43"
    storage_opt: { size: 1G }
    annotations: { com.example.team: web }
    gpus: all
    volumes_from: [db, "container:other:ro"]
    devices:
      - /dev/null:/dev/null0
      - { source: /dev/zero, target: /dev/zero0, permissions: r }
    networks:
      back: { driver_opts: { com.example.opt: "1" }, link_local_ips: [169.254.8.8], gw_priority: 5 }
`;

const dir = project({ 'machines.yml': yml, 'web.labels': '# labels\ntier=file\nowner=ops\n' });
const desired = await loadConfig({ file: join(dir, 'machines.yml'), env: {} }, builtinCatalog());
const web = desired.containers.web;

const cgroup1: EngineFacts = { apiVersion: '1.41', cgroupVersion: '1', oomKillDisable: true, cpuCfsPeriod: true, cpuCfsQuota: true, cpuSet: true, runtimes: ['io.containerd.runc.v2', 'runc'] };

describe('Compose host keys', () => {
  it('normalise as the Engine takes them: microseconds, bytes, service references, label files under labels', () => {
    expect(web).toMatchObject({
      labels: { tier: 'front', owner: 'ops' },
      dns_opt: ['ndots:2'],
      group_add: ['audio', '1001'],
      cpuset: '0',
      cpu_period: 100000,
      cpu_quota: 50000,
      cpu_rt_period: 1_000_000,
      cpu_rt_runtime: 950_000,
      oom_kill_disable: true,
      oom_score_adj: 500,
      mem_swappiness: 10,
      blkio_config: { weight: 300, device_read_bps: [{ path: '/dev/sda', rate: 10 * 1024 ** 2 }], device_write_iops: [{ path: '/dev/sda', rate: 120 }] },
      cgroup: 'private',
      volumes_from: ['service:db', 'container:other:ro'],
      devices: ['/dev/null:/dev/null0', '/dev/zero:/dev/zero0:r'],
      gpus: [{ count: -1, device_ids: [], capabilities: ['gpu'], options: {} }],
      networks: { back: { aliases: [], driver_opts: { 'com.example.opt': '1' }, link_local_ips: ['169.254.8.8'], gw_priority: 5 } },
    });
    expect(desired.networks.back.enableIpv4).toBe(false);
  });

  it('reach the container create as Compose maps them to HostConfig', () => {
    const { options } = containerCreateOptions(web, {
      project: 'hk', machine: 'm1', configHash: 'h', engineName: 'hk-web',
      networkName: (n) => `hk_${n}`, volumeName: (v) => `hk_${v}`, containerName: (c) => `hk-${c}`,
    });
    const h = options.HostConfig as Record<string, unknown>;
    expect(h).toMatchObject({
      DnsOptions: ['ndots:2'], GroupAdd: ['audio', '1001'], CpusetCpus: '0', CpuPeriod: 100000, CpuQuota: 50000,
      CpuRealtimePeriod: 1_000_000, CpuRealtimeRuntime: 950_000, OomKillDisable: true, OomScoreAdj: 500, MemorySwappiness: 10,
      BlkioWeight: 300, BlkioDeviceReadBps: [{ Path: '/dev/sda', Rate: 10485760 }], BlkioDeviceWriteIOps: [{ Path: '/dev/sda', Rate: 120 }],
      CgroupnsMode: 'private', CgroupParent: '/mfile', DeviceCgroupRules: ['c 1:3 mr'], UsernsMode: 'host', UTSMode: 'host',
      StorageOpt: { size: '1G' }, Annotations: { 'com.example.team': 'web' },
      DeviceRequests: [{ Driver: '', Count: -1, DeviceIDs: [], Capabilities: [['gpu']], Options: {} }],
      VolumesFrom: ['hk-db', 'other:ro'],
      Devices: [
        { PathOnHost: '/dev/null', PathInContainer: '/dev/null0', CgroupPermissions: 'rwm' },
        { PathOnHost: '/dev/zero', PathInContainer: '/dev/zero0', CgroupPermissions: 'r' },
      ],
    });
    expect((options as Record<string, unknown>).MacAddress).toBe('02:42:ac:11:65:43');
    expect(options.NetworkingConfig?.EndpointsConfig?.hk_back).toMatchObject({
      DriverOpts: { 'com.example.opt': '1' }, IPAMConfig: { LinkLocalIPs: ['169.254.8.8'] }, GwPriority: 5,
    });
  });

  it('are covered by the config hash, and an unset key leaves the hash of an older file unchanged', () => {
    const base = containerConfigHash({ ...web }, 'hk');
    expect(containerConfigHash({ ...web, oom_score_adj: 400 }, 'hk')).not.toBe(base);
    expect(containerConfigHash({ ...web, dns_opt: ['ndots:3'] }, 'hk')).not.toBe(base);
    const plain = desired.containers.db;
    expect(Object.keys(containerAttributes(plain)).sort()).toEqual(['image', 'restart']);
  });

  it('show in the plan text as they were written', () => {
    const empty: State = { version: 1, mfile_version: '0', lineage: 'l', serial: 0, machines: {}, objects: {} } as unknown as State;
    const text = renderPlanText(plan(desired, empty, { refreshed: false, machines: {} }));
    expect(text).toMatch(/\+ cpu_rt_period += "1s"$/m);
    expect(text).toMatch(/\+ cpu_rt_runtime += "950ms"$/m);
    expect(text).toMatch(/\{ path = "\/dev\/sda", rate = "10m" \}/);
    expect(text).toMatch(/\+ oom_kill_disable += true$/m);
    expect(text).toMatch(/\+ dns_opt += \["ndots:2"\]$/m);
    expect(text).toMatch(/\+ volumes_from += \["service:db", "container:other:ro"\]$/m);
    expect(text).toMatch(/\+ enable_ipv4 = false$/m);
  });

  it('are refused at plan time, one line each, by an engine that cannot honour them', () => {
    expect(containerMisfits(web, { ...cgroup1, apiVersion: '1.49', runtimes: ['nvidia', 'runc'] })).toEqual([]);
    expect(containerMisfits(web, cgroup1)).toEqual([
      'gpus: the engine has no GPU runtime (docker info lists no nvidia runtime)',
      'annotations needs Engine API 1.43 or later; this engine speaks 1.41',
      'networks.back.gw_priority needs Engine API 1.48 or later; this engine speaks 1.41',
    ]);
    const v2 = { ...cgroup1, apiVersion: '1.49', cgroupVersion: '2', oomKillDisable: false, runtimes: ['nvidia'] };
    expect(containerMisfits(web, v2)).toEqual([
      'oom_kill_disable: the engine cannot disable the OOM killer here (cgroup v2 or no kernel support)',
      'mem_swappiness: cgroup v2 has no per-container swappiness',
    ]);
    expect(networkMisfits(desired.networks.back, cgroup1)).toEqual(['enable_ipv4: false needs Engine API 1.47 or later; this engine speaks 1.41']);

    const empty = { version: 1, mfile_version: '0', lineage: 'l', serial: 0, machines: {}, objects: {} } as unknown as State;
    const observed: Observed = { refreshed: true, machines: { m1: { name: 'm1', status: 'running', engine: cgroup1, containers: [], networks: [], volumes: [], images: [] } } };
    const lines = engineMisfits(desired, plan(desired, empty, observed), observed);
    expect(lines).toContain('container.web[m1]: gpus: the engine has no GPU runtime (docker info lists no nvidia runtime); remove it or place the container on a machine whose engine can');
    expect(lines).toContain('network.back[m1]: enable_ipv4: false needs Engine API 1.47 or later; this engine speaks 1.41; remove it or place the network on a machine whose engine can');
    expect(lines.every((l) => !l.includes('\n'))).toBe(true);
  });

  it('keep a reason where mfile refuses a Compose key', async () => {
    const bad = project({ 'machines.yml': 'version: 1\nmachines:\n  m1: { driver: local }\ncontainers:\n  w:\n    image: nginx:1.27\n    cpu_count: 2\n    pull_refresh_after: 1h\n' });
    const err = await loadConfig({ file: join(bad, 'machines.yml'), env: {} }, builtinCatalog()).then(() => undefined, (e: Error) => e.message);
    expect(err).toMatch(/machines\.yml:7:5: .*cpu_count.*Windows containers only/);
    expect(err).toMatch(/machines\.yml:8:5: .*pull_refresh_after.*never on a timer/);
    const unknown = project({ 'machines.yml': 'version: 1\nmachines:\n  m1: { driver: local }\ncontainers:\n  w:\n    image: nginx:1.27\n    volumes_from: [dbb]\n  db:\n    image: nginx:1.27\n' });
    const err2 = await loadConfig({ file: join(unknown, 'machines.yml'), env: {} }, builtinCatalog()).then(() => undefined, (e: Error) => e.message);
    expect(err2).toMatch(/machines\.yml:7:\d+: containers\.w: volumes_from names unknown container 'dbb' \(did you mean 'db'\?\)/);
  });
});
