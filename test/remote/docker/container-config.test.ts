// ContainerSpec -> Engine API create options: each Compose field lands where the engine expects it.
import { describe, expect, it } from 'vitest';
import { containerCreateOptions, networkOrder, type MappingContext } from '../../../src/remote/docker/container-config.js';
import { containerSpec } from '../../helpers/fixtures.js';

const ctx: MappingContext = {
  project: 'shop',
  machine: 'm1',
  configHash: 'h1',
  engineName: 'shop-web',
  networkName: (n) => (n === 'ext' ? 'ext' : `shop_${n}`),
  volumeName: (v) => `shop_${v}`,
  containerName: (c) => `shop-${c}`,
};

const labels = { 'io.mfile.project': 'shop', 'io.mfile.machine': 'm1', 'io.mfile.name': 'web', 'io.mfile.config-hash': 'h1' };

describe('containerCreateOptions', () => {
  it('maps a minimal spec to a minimal request', () => {
    expect(containerCreateOptions(containerSpec('web', { image: 'nginx:1.27' }), ctx)).toEqual({
      options: {
        name: 'shop-web',
        Image: 'nginx:1.27',
        Env: [],
        Labels: labels,
        Tty: false,
        OpenStdin: false,
        AttachStdin: false,
        AttachStdout: false,
        AttachStderr: false,
        HostConfig: { RestartPolicy: { Name: 'no' }, ReadonlyRootfs: false, Privileged: false },
      },
      extraNetworks: [],
    });
  });

  const table: [string, Parameters<typeof containerSpec>[1], (o: ReturnType<typeof containerCreateOptions>) => unknown, unknown][] = [
    ['command and entrypoint', { command: ['a', 'b'], entrypoint: ['/e'] }, (o) => [o.options.Cmd, o.options.Entrypoint], [['a', 'b'], ['/e']]],
    ['environment, sorted', { environment: { B: '2', A: '1' } }, (o) => o.options.Env, ['A=1', 'B=2']],
    ['user labels plus mfile labels, mfile wins', { labels: { team: 'x', 'io.mfile.name': 'spoof' } }, (o) => o.options.Labels, { team: 'x', ...labels }],
    [
      'ports with host ip and protocol',
      { ports: [{ target: 80, published: '8080', host_ip: '127.0.0.1', protocol: 'tcp' }, { target: 53, published: '5353', protocol: 'udp' }, { target: 9000, protocol: 'tcp' }] },
      (o) => [o.options.ExposedPorts, o.options.HostConfig!.PortBindings],
      [
        { '80/tcp': {}, '53/udp': {}, '9000/tcp': {} },
        { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '8080' }], '53/udp': [{ HostIp: '', HostPort: '5353' }], '9000/tcp': [{ HostIp: '', HostPort: '' }] },
      ],
    ],
    ['expose', { expose: ['3000', '4000/udp'] }, (o) => o.options.ExposedPorts, { '3000/tcp': {}, '4000/udp': {} }],
    [
      'named volume (project scoped), anonymous volume, bind, tmpfs mount',
      {
        volumes: [
          { type: 'volume', source: 'data', target: '/data', read_only: false },
          { type: 'volume', target: '/cache', read_only: false, volume: { nocopy: true } },
          { type: 'bind', source: '/srv/conf', target: '/conf', read_only: true },
          { type: 'tmpfs', target: '/run', read_only: false, tmpfs: { size: 1048576, mode: 0o1777 } },
        ],
      },
      (o) => [o.options.HostConfig!.Binds, o.options.HostConfig!.Mounts],
      [
        ['/srv/conf:/conf:ro'],
        [
          { Type: 'volume', Source: 'shop_data', Target: '/data', ReadOnly: false },
          { Type: 'volume', Target: '/cache', ReadOnly: false, VolumeOptions: { NoCopy: true } },
          { Type: 'tmpfs', Target: '/run', ReadOnly: false, TmpfsOptions: { SizeBytes: 1048576, Mode: 0o1777 } },
        ],
      ],
    ],
    ['tmpfs list', { tmpfs: ['/a', '/b:size=64m'] }, (o) => o.options.HostConfig!.Tmpfs, { '/a': '', '/b': 'size=64m' }],
    [
      'networks: first at create with aliases and fixed ip, the rest connected later',
      { networks: { front: { aliases: ['www'] }, back: { aliases: [], ipv4_address: '10.5.0.9', priority: 10 }, ext: { aliases: [] } } },
      (o) => [o.options.HostConfig!.NetworkMode, o.options.NetworkingConfig, o.extraNetworks],
      [
        'shop_back',
        { EndpointsConfig: { shop_back: { Aliases: ['web'], IPAMConfig: { IPv4Address: '10.5.0.9' } } } },
        [
          { network: 'ext', config: { Aliases: ['web'] } },
          { network: 'shop_front', config: { Aliases: ['web', 'www'] } },
        ],
      ],
    ],
    ['network_mode service: points at the other container', { network_mode: 'service:db', networks: { a: { aliases: [] } } }, (o) => [o.options.HostConfig!.NetworkMode, o.options.NetworkingConfig], ['container:shop-db', undefined]],
    ['network_mode host', { network_mode: 'host' }, (o) => o.options.HostConfig!.NetworkMode, 'host'],
    ['restart unless-stopped', { restart: 'unless-stopped' }, (o) => o.options.HostConfig!.RestartPolicy, { Name: 'unless-stopped' }],
    ['restart on-failure:3', { restart: 'on-failure:3' }, (o) => o.options.HostConfig!.RestartPolicy, { Name: 'on-failure', MaximumRetryCount: 3 }],
    [
      'healthcheck in nanoseconds',
      { healthcheck: { test: ['CMD', 'true'], interval: 5e9, timeout: 2e9, start_period: 1e9, retries: 3, disable: false } },
      (o) => o.options.Healthcheck,
      { Test: ['CMD', 'true'], Interval: 5e9, Timeout: 2e9, StartPeriod: 1e9, Retries: 3 },
    ],
    ['healthcheck disabled', { healthcheck: { test: [], disable: true } }, (o) => o.options.Healthcheck, { Test: ['NONE'] }],
    [
      'resources',
      { mem_limit: 268435456, mem_reservation: 1048576, memswap_limit: -1, cpus: 0.5, cpu_shares: 512, pids_limit: 100, shm_size: 67108864 },
      (o) => {
        const h = o.options.HostConfig!;
        return [h.Memory, h.MemoryReservation, h.MemorySwap, h.NanoCpus, h.CpuShares, h.PidsLimit, h.ShmSize];
      },
      [268435456, 1048576, -1, 500000000, 512, 100, 67108864],
    ],
    ['ulimits sorted', { ulimits: { nproc: { soft: 65535, hard: 65535 }, nofile: { soft: 1024, hard: 2048 } } }, (o) => o.options.HostConfig!.Ulimits, [{ Name: 'nofile', Soft: 1024, Hard: 2048 }, { Name: 'nproc', Soft: 65535, Hard: 65535 }]],
    [
      'security',
      { cap_add: ['NET_ADMIN'], cap_drop: ['ALL'], read_only: true, privileged: true, security_opt: ['no-new-privileges:true'] },
      (o) => {
        const h = o.options.HostConfig!;
        return [h.CapAdd, h.CapDrop, h.ReadonlyRootfs, h.Privileged, h.SecurityOpt];
      },
      [['NET_ADMIN'], ['ALL'], true, true, ['no-new-privileges:true']],
    ],
    ['devices', { devices: ['/dev/fuse', '/dev/sda:/dev/xvda:r'] }, (o) => o.options.HostConfig!.Devices, [{ PathOnHost: '/dev/fuse', PathInContainer: '/dev/fuse', CgroupPermissions: 'rwm' }, { PathOnHost: '/dev/sda', PathInContainer: '/dev/xvda', CgroupPermissions: 'r' }]],
    ['sysctls', { sysctls: { 'net.core.somaxconn': '1024' } }, (o) => o.options.HostConfig!.Sysctls, { 'net.core.somaxconn': '1024' }],
    [
      'process settings',
      { user: '1000:1000', working_dir: '/app', hostname: 'h', domainname: 'd.example', tty: true, stdin_open: true, stop_signal: 'SIGINT', stop_grace_period: 1.5e9, platform: 'linux/amd64' },
      (o) => [o.options.User, o.options.WorkingDir, o.options.Hostname, o.options.Domainname, o.options.Tty, o.options.OpenStdin, o.options.StopSignal, o.options.StopTimeout, o.options.platform],
      ['1000:1000', '/app', 'h', 'd.example', true, true, 'SIGINT', 2, 'linux/amd64'],
    ],
    [
      'host settings',
      { extra_hosts: ['db=10.0.0.2', 'cache:10.0.0.3'], dns: ['1.1.1.1'], dns_search: ['example.com'], init: true, pid: 'host', ipc: 'shareable', runtime: 'runc' },
      (o) => {
        const h = o.options.HostConfig!;
        return [h.ExtraHosts, h.Dns, h.DnsSearch, h.Init, h.PidMode, h.IpcMode, h.Runtime];
      },
      [['db:10.0.0.2', 'cache:10.0.0.3'], ['1.1.1.1'], ['example.com'], true, 'host', 'shareable', 'runc'],
    ],
    ['logging', { logging: { driver: 'json-file', options: { 'max-size': '10m' } } }, (o) => o.options.HostConfig!.LogConfig, { Type: 'json-file', Config: { 'max-size': '10m' } }],
  ];

  it.each(table)('%s', (_title, over, pick, expected) => {
    expect(pick(containerCreateOptions(containerSpec('web', over), ctx))).toEqual(expected);
  });

  it('orders networks by priority, then name', () => {
    expect(networkOrder({ b: { aliases: [] }, a: { aliases: [] }, z: { aliases: [], priority: 5 } })).toEqual(['z', 'a', 'b']);
  });
});
