// Bad machines.yml files and the exact lines a user sees for each.
import { describe, expect, it } from 'vitest';
import { HEAD, issues } from './helpers.js';

const cases: { name: string; yaml: string | Uint8Array; want: string[]; vars?: Record<string, string> }[] = [
  {
    name: 'YAML syntax error',
    yaml: 'version: 1\nmachines:\n  m1: { driver: local\n',
    want: ["machines.yml:4:1: YAML syntax error: Flow map in block collection must be sufficiently indented and end with a }"],
  },
  {
    name: 'duplicate key',
    yaml: HEAD + 'containers:\n  web:\n    image: nginx\n    image: httpd\n',
    want: ["machines.yml:8:5: duplicate key 'image'"],
  },
  {
    name: 'unknown key, with a suggestion',
    yaml: HEAD + 'containers:\n  web:\n    image: nginx\n    enviroment: { A: b }\n    colour: red\n',
    want: [
      "machines.yml:8:5: unknown key 'enviroment' in containers.web (did you mean 'environment'?)",
      "machines.yml:9:5: unknown key 'colour' in containers.web",
    ],
  },
  {
    name: 'unknown top-level key',
    yaml: HEAD + 'hosts: {}\n',
    want: ["machines.yml:5:1: unknown top-level key 'hosts'"],
  },
  {
    name: 'wrong type',
    yaml: HEAD + 'containers:\n  web:\n    image: nginx\n    ports: "80:80"\n    privileged: "yes"\n',
    want: [
      "machines.yml:8:12: containers.web.ports: must be a list",
      "machines.yml:9:17: containers.web.privileged: must be true or false",
    ],
  },
  {
    name: 'bad enum',
    yaml: HEAD + 'containers:\n  web:\n    image: nginx\n    pull_policy: sometimes\n',
    want: ["machines.yml:8:18: containers.web.pull_policy: 'sometimes' must be one of: always, missing, never, build, daily, weekly, every_<duration>, if_not_present"],
  },
  {
    name: 'bad enum value and restart policy, with suggestions',
    yaml: HEAD + 'containers:\n  web:\n    image: nginx\n    pull_policy: alwys\n    restart: alwyas\n',
    want: [
      "machines.yml:8:18: containers.web.pull_policy: 'alwys' must be one of: always, missing, never, build, daily, weekly, every_<duration>, if_not_present (did you mean 'always'?)",
      "machines.yml:9:14: containers.web.restart: 'alwyas' must be one of: no, always, on-failure[:N], unless-stopped (did you mean 'always'?)",
    ],
  },
  {
    name: 'unknown names, with the nearest declared one',
    yaml:
      HEAD +
      'networks:\n  front: {}\nvolumes:\n  data: {}\ncontainers:\n  db:\n    image: postgres\n  web:\n    image: nginx\n    machine: m2\n    networks: [frnt]\n    volumes: ["dta:/d"]\n    depends_on: [dbb]\n',
    want: [
      "machines.yml:14:14: containers.web: unknown machine 'm2' (known: m1)",
      "machines.yml:15:16: containers.web: unknown network 'frnt' (did you mean 'front'?) (declare it under networks)",
      "machines.yml:16:15: containers.web: unknown volume 'dta' (did you mean 'data'?) (declare it under volumes)",
      "machines.yml:17:18: containers.web: depends_on names unknown container 'dbb' (did you mean 'db'?)",
    ],
  },
  {
    name: 'schema errors do not hide cross-field errors in other entries',
    yaml: HEAD + 'containers:\n  web:\n    image: nginx\n    privileged: "yes"\n  api:\n    image: nginx\n    machine: m9\n    depends_on: [web, wbe]\n',
    want: [
      "machines.yml:8:17: containers.web.privileged: must be true or false",
      "machines.yml:11:14: containers.api: unknown machine 'm9' (known: m1)",
      "machines.yml:12:23: containers.api: depends_on names unknown container 'wbe' (did you mean 'web'?)",
    ],
  },
  {
    name: 'every machine failing the schema: no placement error on top',
    yaml: 'version: 1\nmachines:\n  m1:\n    driver: vbox\ncontainers:\n  web:\n    image: nginx\n',
    want: ["machines.yml:4:13: machines.m1.driver: unknown driver 'vbox' (known drivers: amazonec2, digitalocean, generic, hetzner, local, none, qemu, sandbox)"],
  },
  {
    name: "references to Object.prototype names ('constructor') are unknown names, not a crash",
    yaml: HEAD + 'containers:\n  web:\n    image: nginx\n    machine: constructor\n    depends_on: [constructor]\n    secrets: [constructor]\n',
    want: [
      "machines.yml:8:14: containers.web: unknown machine 'constructor' (known: m1)",
      "machines.yml:9:18: containers.web: depends_on names unknown container 'constructor'",
      "machines.yml:10:15: containers.web: unknown secret 'constructor' (declare it under secrets)",
    ],
  },
  {
    name: 'a dependency on a container whose name fails the schema: only the name is reported',
    yaml: HEAD + 'containers:\n  toString:\n    image: nginx\n  web:\n    image: nginx\n    depends_on: [toString]\n',
    want: [
      "machines.yml:6:3: invalid container name 'toString': must be lower-case letters, digits, '_', '.' and '-' (at most 63, starting with a letter or digit)",
    ],
  },
  {
    name: 'no machine given among several, one of which fails the schema',
    yaml: 'version: 1\nmachines:\n  m1: { driver: local }\n  m2: { driver: vbox }\ncontainers:\n  web:\n    image: nginx\n',
    want: [
      "machines.yml:4:17: machines.m2.driver: unknown driver 'vbox' (known drivers: amazonec2, digitalocean, generic, hetzner, local, none, qemu, sandbox)",
      "machines.yml:6:3: containers.web: no machine given; add machine: NAME (one of: m1, m2)",
    ],
  },
  {
    name: 'bad driver',
    yaml: 'version: 1\nmachines:\n  m1:\n    driver: virtualbox\n',
    want: ["machines.yml:4:13: machines.m1.driver: unknown driver 'virtualbox' (known drivers: amazonec2, digitalocean, generic, hetzner, local, none, qemu, sandbox)"],
  },
  {
    name: 'misspelt driver, with a suggestion',
    yaml: 'version: 1\nmachines:\n  m1:\n    driver: generc\n    generic: { host: h.example }\n',
    want: ["machines.yml:4:13: machines.m1.driver: unknown driver 'generc' (known drivers: amazonec2, digitalocean, generic, hetzner, local, none, qemu, sandbox) (did you mean 'generic'?)"],
  },
  {
    name: "a driver block checked against that driver's schema",
    yaml: 'version: 1\nmachines:\n  m1:\n    driver: generic\n    generic:\n      host: h.example\n      port: 70000\n      jump: { host: j.example, usr: root }\n  m2:\n    driver: sandbox\n    sandbox: { ip: 10.213.9.300 }\n',
    want: [
      'machines.yml:7:13: machines.m1.generic.port: must be <= 65535',
      "machines.yml:8:32: unknown key 'usr' in machines.m1.generic.jump (did you mean 'user'?)",
      "machines.yml:11:20: machines.m2.sandbox.ip: '10.213.9.300' must be an IPv4 address",
    ],
  },
  {
    name: 'bad machine name',
    yaml: 'version: 1\nmachines:\n  ../x:\n    driver: local\n',
    want: ["machines.yml:3:3: invalid machine name '../x': must be lower-case letters, digits and '-' (at most 63, starting with a letter or digit)"],
  },
  {
    name: 'version must be 1',
    yaml: 'version: 2\nmachines:\n  m1: { driver: local }\n',
    want: ["machines.yml:1:10: version: must be 1"],
  },
  {
    name: 'unknown machine, network, volume and secret',
    yaml:
      HEAD +
      'containers:\n  web:\n    machine: m2\n    image: nginx\n    networks: [front]\n    volumes: ["data:/x", "./here:/y"]\n    secrets: [key]\n',
    want: [
      "machines.yml:7:14: containers.web: unknown machine 'm2' (known: m1)",
      "machines.yml:9:16: containers.web: unknown network 'front' (declare it under networks)",
      "machines.yml:10:15: containers.web: unknown volume 'data' (declare it under volumes)",
      "machines.yml:11:15: containers.web: unknown secret 'key' (declare it under secrets)",
    ],
  },
  {
    name: 'dependency cycle',
    yaml:
      HEAD +
      'containers:\n  a:\n    image: x\n    depends_on: [b]\n  b:\n    image: x\n    depends_on:\n      c: { condition: service_healthy }\n  c:\n    image: x\n    depends_on: [a]\n',
    want: ["machines.yml:8:18: dependency cycle: a -> b -> c -> a"],
  },
  {
    name: 'unknown dependency',
    yaml: HEAD + 'containers:\n  a:\n    image: x\n    depends_on: [dbb]\n',
    want: ["machines.yml:8:18: containers.a: depends_on names unknown container 'dbb'"],
  },
  {
    name: 'duplicate host port on one machine',
    yaml:
      HEAD +
      'containers:\n  a:\n    image: x\n    ports: ["8080:80"]\n  b:\n    image: x\n    ports:\n      - target: 81\n        published: 8080\n      - "127.0.0.1:8080:80/udp"\n',
    want: ["machines.yml:12:9: containers.b: host port 8080/tcp on machine m1 is already published by containers.a"],
  },
  {
    name: 'undefined variable',
    yaml: HEAD + 'containers:\n  a:\n    image: "nginx:${tag}"\n',
    want: ["machines.yml:7:12: undefined variable 'tag': pass --var tag=VALUE, --var-file FILE or --var-stdin tag, set MFILE_VAR_tag or tag in the environment, or add tag=VALUE to .env, or declare it under variables with a default"],
  },
  {
    name: 'healthcheck test list that does not start with CMD, CMD-SHELL or NONE',
    yaml: HEAD + 'containers:\n  a:\n    image: x\n    healthcheck: { test: [CDM, /bin/true] }\n',
    want: ["machines.yml:8:27: containers.a.healthcheck.test[0]: must be one of: CMD, CMD-SHELL, NONE (did you mean 'CMD'?)"],
  },
  {
    name: 'bad duration and bad size',
    yaml: HEAD + 'containers:\n  a:\n    image: x\n    healthcheck: { test: [CMD, /bin/true], interval: 5 sec }\n    mem_limit: 1 gigabyte\n',
    want: [
      "machines.yml:8:54: containers.a.healthcheck.interval: '5 sec' must be a duration like 30s, 1m30s or 100ms",
      "machines.yml:9:16: containers.a.mem_limit: '1 gigabyte' must be a size like 256m, 1g or 1024 (bytes)",
    ],
  },
  {
    name: 'missing driver option',
    yaml: 'version: 1\nmachines:\n  web-1:\n    driver: generic\n  web-2:\n    driver: generic\n    generic: { user: root }\n  db:\n    driver: none\n',
    want: [
      "machines.yml:3:3: missing required key 'generic' in machines.web-1 (driver generic needs generic: {host: ...})",
      "machines.yml:7:5: missing required key 'host' in machines.web-2.generic",
      "machines.yml:8:3: missing required key 'none' in machines.db (driver none needs none: {url: ...})",
    ],
  },
  {
    name: 'driver block that does not match the driver',
    yaml: 'version: 1\nmachines:\n  m1:\n    driver: local\n    sandbox: { ip: 10.0.0.2 }\n',
    want: ["machines.yml:5:5: machines.m1.sandbox: only used with driver sandbox (this machine uses local)"],
  },
  {
    name: 'extends, profiles and swarm deploy keys rejected with a reason',
    yaml:
      HEAD +
      'containers:\n  a:\n    image: x\n    profiles: [debug]\n    extends: { service: b }\n    deploy:\n      mode: global\n      replicas: 2\n',
    want: [
      "machines.yml:8:5: profiles: not supported: every container in machines.yml is deployed; remove it or use a separate file",
      "machines.yml:9:5: extends: not supported: machines.yml is one self-contained file; share settings with a YAML anchor (x-common: &common, then <<: *common)",
      "machines.yml:11:7: mode: not supported: it configures Swarm services: write it under a top-level services entry (a swarm of machines with swarm roles); a container runs on the machines it names; choose where it runs with machine / machines",
    ],
  },
  {
    name: 'a whole compose file pasted',
    yaml: HEAD + 'services:\n  web: { image: nginx }\n',
    want: ["machines.yml:5:1: services: these are Swarm services and no machine has swarm: { role: manager }; give one that role, or move each service under containers to run it on named machines"],
  },
  {
    name: 'network_mode with networks',
    yaml: HEAD + 'networks: { n: {} }\ncontainers:\n  a:\n    image: x\n    network_mode: host\n    networks: [n]\n',
    want: ["machines.yml:9:19: containers.a: network_mode and networks cannot be used together"],
  },
  {
    name: 'no machine when there are several',
    yaml: 'version: 1\nmachines:\n  m1: { driver: local }\n  m2: { driver: local }\ncontainers:\n  a:\n    image: x\n',
    want: ["machines.yml:6:3: containers.a: no machine given; add machine: NAME (one of: m1, m2)"],
  },
  {
    name: 'several errors at once, in file order',
    yaml: 'version: 1\nmachines:\n  m1:\n    driver: local\n    engine: { port: 99999 }\ncontainers:\n  a:\n    image: "${nope}"\n    restart: sometimes\n    ports: ["80:80:80:80"]\n',
    want: [
      "machines.yml:5:21: machines.m1.engine.port: must be <= 65535",
      "machines.yml:8:12: undefined variable 'nope': pass --var nope=VALUE, --var-file FILE or --var-stdin nope, set MFILE_VAR_nope or nope in the environment, or add nope=VALUE to .env, or declare it under variables with a default",
      "machines.yml:9:14: containers.a.restart: 'sometimes' must be one of: no, always, on-failure[:N], unless-stopped",
      "machines.yml:10:13: containers.a.ports[0]: '80:80:80:80' must be a port mapping like 8080:80, 127.0.0.1:8080:80/udp or 80",
    ],
  },
  {
    name: 'a plain ${...} inside a flow mapping',
    yaml: 'version: 1\nvariables: { p: { default: 22 } }\nmachines:\n  m1: { driver: generic, generic: { host: h, port: ${p} } }\n',
    want: ["machines.yml:4:53: YAML syntax error: Unexpected flow-map-start at node end (quote values that use ${...} inside { } or [ ])"],
  },
  {
    name: 'missing env_file',
    yaml: HEAD + 'containers:\n  a:\n    image: x\n    env_file: [./nope.env, { path: ./optional.env, required: false }]\n',
    want: ["machines.yml:8:16: containers.a.env_file[0]: file not found: ./nope.env (add required: false if it is optional)"],
  },
  {
    name: 'replicas with a fixed host port, and a replica name that is taken',
    yaml: HEAD + 'containers:\n  a:\n    image: x\n    ports: ["80:80"]\n    deploy: { replicas: 2 }\n  a-2:\n    image: x\n',
    want: [
      "machines.yml:8:13: containers.a: host port 80/tcp cannot be published by 2 replicas on one machine; leave out the host port or give a range",
      "machines.yml:9:25: containers.a: replica name 'a-2' is also a container in this file",
    ],
  },
  {
    name: 'mem_limit and deploy.resources.limits.memory disagree',
    yaml: HEAD + 'containers:\n  a:\n    image: x\n    mem_limit: 1g\n    deploy: { resources: { limits: { memory: 2g } } }\n',
    want: ["machines.yml:9:46: containers.a: mem_limit and deploy.resources say different things; set one of them"],
  },
  {
    name: 'long-form port without target',
    yaml: HEAD + 'containers:\n  a:\n    image: x\n    ports: [{ published: 80 }]\n',
    want: ["machines.yml:8:13: missing required key 'target' in containers.a.ports[0]"],
  },
  {
    name: 'no image, and machine and machines both',
    yaml: HEAD + 'containers:\n  a:\n    machine: m1\n    machines: [m1]\n',
    want: [
      "machines.yml:6:3: containers.a: needs image or build",
      "machines.yml:8:5: containers.a: use machine or machines, not both",
    ],
  },
  {
    name: 'no machines at all',
    yaml: 'version: 1\nmachines: {}\ncontainers:\n  a: { image: x }\n',
    want: ["machines.yml:4:3: containers.a: no machine to run on; declare one under machines"],
  },
  {
    name: 'qemu: network keys of the other kind',
    yaml:
      'version: 1\nmachines:\n  v1:\n    driver: qemu\n    qemu: { image: /d.qcow2, network: bridge, forward: ["8080:80"] }\n' +
      '  v2:\n    driver: qemu\n    qemu: { image: /d.qcow2, network: user, ip: 10.213.0.9 }\n' +
      '  v3:\n    driver: qemu\n    qemu: { image: /d.qcow2, network: bridge, subnet: 10.213.0.0/16 }\n',
    want: [
      'machines.yml:5:39: machines.v1.qemu.network: must be user when forward is given (on a bridge every port of the machine is reachable at its address)',
      'machines.yml:8:39: machines.v2.qemu.network: must be bridge when subnet or ip is given',
      "machines.yml:11:55: machines.v3.qemu.subnet: '10.213.0.0/16' must be a /24 like 10.213.0.0/24",
    ],
  },
  { name: 'empty file', yaml: '# nothing here\n', want: ["machines.yml:1:1: file is empty: expected a mapping with version: 1 and machines"] },
  { name: 'not a mapping', yaml: '- a\n- b\n', want: ["machines.yml:1:1: top level must be a mapping (key: value), found a list"] },
  { name: 'not UTF-8', yaml: new Uint8Array([...Buffer.from('version: 1\nproject: caf'), 0xe9, 0x0a]), want: ["machines.yml:2:13: file is not valid UTF-8 text"] },
];

describe('config errors', () => {
  it.each(cases)('$name', async ({ yaml, want, vars }) => {
    expect(await issues(yaml, { vars })).toEqual(want);
  });
});
