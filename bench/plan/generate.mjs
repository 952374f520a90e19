// Generates a large project for the planner bench: N machines, M containers spread over them (round robin),
// as an in-memory Desired (normalised form) and as machines.yml text for the full load path.

const IMAGES = ['nginx:1.27', 'postgres:16', 'redis:7', 'registry.example.com/shop/api:2.4.1', 'busybox:1.36'];

function machineSpec(name, drivers) {
  return {
    name,
    driver: 'sandbox',
    driverOptions: {},
    traits: drivers.get('sandbox'),
    engine: {
      install: 'auto', port: 2376, transport: 'tcp', labels: { rack: `r${name.length % 7}` }, registryMirrors: [],
      insecureRegistries: [], logOpts: {}, daemon: {}, uninstall: false,
    },
    tls: { enabled: true, san: [] },
  };
}

function containerSpec(i, machines) {
  const m = `m${i % machines}`;
  const prev = i >= machines ? `c${i - machines}` : undefined;
  return {
    name: `c${i}`,
    machines: [m],
    image: IMAGES[i % IMAGES.length],
    pull_policy: 'missing',
    command: ['serve', '--port', '8080'],
    environment: { MODE: 'prod', INDEX: String(i), API_TOKEN: 'bench-secret' },
    labels: { team: `t${i % 13}` },
    ports: [{ target: 8080, published: String(10000 + Math.floor(i / machines)), protocol: 'tcp' }],
    expose: [],
    volumes: i % 3 === 0 ? [{ type: 'volume', source: 'data', target: '/data', read_only: false }] : [],
    networks: { backend: { aliases: [] } },
    depends_on: prev ? { [prev]: { condition: 'service_started', required: true, restart: false } } : {},
    restart: 'unless-stopped',
    healthcheck: { test: ['CMD', 'true'], interval: 5e9, retries: 3, disable: false },
    read_only: false, privileged: false, cap_add: [], cap_drop: [], security_opt: [], devices: [], sysctls: {},
    stdin_open: false, tty: false, init: false, extra_hosts: [], dns: [], dns_search: [], tmpfs: [], ulimits: {},
    mem_limit: 268435456, secrets: [], replicas: 1,
  };
}

/** A Desired as loadConfig would return it; `drivers` is the driver catalog (builtinCatalog()). */
export function generateDesired({ machines = 1000, containers = 10000, drivers }) {
  const d = {
    project: 'bench',
    configPath: '/bench/machines.yml',
    configDigest: '0'.repeat(64),
    variables: { token: { value: 'bench-secret', sensitive: true } },
    sensitiveValues: ['bench-secret'],
    machines: {},
    networks: { backend: { name: 'backend', driver: 'bridge', driverOpts: {}, internal: false, attachable: false, enableIpv6: false, labels: {}, external: false } },
    volumes: { data: { name: 'data', driver: 'local', driverOpts: {}, labels: {}, external: false } },
    secrets: {},
    containers: {},
    drivers,
  };
  for (let i = 0; i < machines; i++) d.machines[`m${i}`] = machineSpec(`m${i}`, drivers);
  for (let i = 0; i < containers; i++) d.containers[`c${i}`] = containerSpec(i, machines);
  return d;
}

/** The same project as machines.yml (driver none keeps the schema's required driver block small). */
export function generateYaml({ machines = 1000, containers = 10000 } = {}) {
  const out = ['version: 1', 'project: bench', 'variables:', '  token: { default: bench-secret, sensitive: true }', 'machines:'];
  for (let i = 0; i < machines; i++) {
    out.push(`  m${i}:`, '    driver: sandbox', '    engine:', `      labels: { rack: r${`m${i}`.length % 7} }`);
  }
  out.push('networks:', '  backend: {}', 'volumes:', '  data: {}', 'containers:');
  for (let i = 0; i < containers; i++) {
    const prev = i >= machines ? `c${i - machines}` : undefined;
    out.push(
      `  c${i}:`,
      `    machine: m${i % machines}`,
      `    image: ${IMAGES[i % IMAGES.length]}`,
      '    command: ["serve", "--port", "8080"]',
      `    environment: { MODE: prod, INDEX: "${i}", API_TOKEN: "\${token}" }`,
      `    labels: { team: t${i % 13} }`,
      `    ports: ["${10000 + Math.floor(i / machines)}:8080"]`,
      ...(i % 3 === 0 ? ['    volumes: ["data:/data"]'] : []),
      '    networks: [backend]',
      ...(prev ? [`    depends_on: [${prev}]`] : []),
      '    restart: unless-stopped',
      '    healthcheck: { test: ["CMD", "true"], interval: 5s, retries: 3 }',
      '    mem_limit: 256m',
    );
  }
  return `${out.join('\n')}\n`;
}
