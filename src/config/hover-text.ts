// Hover text for editors: every key's `markdownDescription` is its description plus a short machines.yml
// snippet showing the key in place. A hand-written markdownDescription in the schema is kept.
type Schema = Record<string, unknown>;

// Where each definition sits in a file, as the YAML lines above its keys.
const CONTEXT: Record<string, string[]> = {
  '': [],
  variable: ['variables:', '  port:'],
  machine: ['machines:', '  web1:'],
  engine: ['machines:', '  web1:', '    engine:'],
  network: ['networks:', '  front:'],
  volume: ['volumes:', '  data:'],
  secret: ['secrets:', '  db_password:'],
  container: ['containers:', '  web:'],
  healthcheck: ['containers:', '  web:', '    healthcheck:'],
  deploy: ['containers:', '  web:', '    deploy:'],
  resources: ['containers:', '  web:', '    deploy:', '      resources:', '        limits:'],
  port: ['containers:', '  web:', '    ports:', '      -'],
  mount: ['containers:', '  web:', '    volumes:', '      -'],
};

// Example values where the type alone says too little.
const SAMPLE: Record<string, string> = {
  version: '1', project: 'shop', image: 'nginx:1.27', machine: 'web1', machines: '[web1, web2]', driver: 'generic',
  restart: 'unless-stopped', mem_limit: '512m', mem_reservation: '256m', memswap_limit: '1g', shm_size: '64m',
  memory: '512m', cpus: '0.5', cpu_shares: '512', pids_limit: '200', pids: '200', replicas: '2', ports: '["8080:80"]',
  expose: '["80"]', volumes: '["data:/var/lib/data"]', environment: '{ LOG_LEVEL: info }', env_file: '.env',
  command: '["nginx", "-g", "daemon off;"]', entrypoint: '["/docker-entrypoint.sh"]', networks: '[front]',
  network_mode: 'host', depends_on: '[db]', labels: '{ team: web }', user: '1000:1000', working_dir: '/app',
  hostname: 'web', domainname: 'example.com', cap_add: '[NET_ADMIN]', cap_drop: '[ALL]',
  security_opt: '["no-new-privileges:true"]', devices: '["/dev/fuse:/dev/fuse"]', sysctls: '{ net.core.somaxconn: 1024 }',
  platform: 'linux/amd64', runtime: 'runc', pid: 'host', ipc: 'shareable', stop_signal: 'SIGTERM',
  stop_grace_period: '30s', extra_hosts: '["db.local:10.0.0.5"]', dns: '1.1.1.1', dns_search: 'example.com',
  tmpfs: '/run', secrets: '[db_password]', container_name: 'web', build: '.', context: './web', dockerfile: 'Dockerfile',
  args: '{ VERSION: "1.2" }', target: 'prod', test: '["CMD", "curl", "-f", "http://localhost/"]', interval: '30s',
  timeout: '5s', retries: '3', start_period: '10s', start_interval: '2s', file: './secrets/db_password.txt',
  host: '10.0.0.5', port: '22', url: 'tcp://10.0.0.5:2376', subnet: '10.213.1.0/24', ip: '10.213.1.2',
  identity_file: '~/.ssh/id_ed25519', install_script: 'https://get.docker.com', registry_mirrors: '["https://mirror.example.com"]',
  insecure_registries: '["registry.lan:5000"]', storage_driver: 'overlay2', log_driver: 'json-file',
  log_opts: '{ max-size: 10m }', driver_opts: '{ type: nfs }', name: 'shop_front', san: '[web1.example.com]',
  ca: './tls/ca.pem', cert: './tls/cert.pem', key: './tls/key.pem', default: '8080', description: 'Port of the web UI',
  source: 'data', published: '"8080"', host_ip: '127.0.0.1', app_protocol: 'http', gateway: '10.213.1.1',
  ip_range: '10.213.1.128/25', ipv4_address: '10.213.1.10', ipv6_address: 'fd00::10', aliases: '[web]',
  ulimits: '{ nofile: { soft: 1024, hard: 4096 } }', logging: '{ driver: json-file }', daemon: '{ live-restore: true }',
  options: '{ max-size: 10m }', size: '64m', mode: '"0440"', uid: '"1000"', gid: '"1000"', consistency: 'cached',
};

// The same key name with a different meaning in another place (scope = definition or parent key).
const SCOPED: Record<string, string> = {
  'port.target': '80', 'port.mode': 'host', 'port.name': 'http', 'mount.target': '/var/lib/data', 'mount.type': 'volume',
  'secrets.target': 'db_password', 'secrets.source': 'db_password', 'secrets.mode': '"0400"', 'build.target': 'prod',
  'machine.tls': 'true', 'engine.port': '2376', 'engine.labels': '{ zone: eu1 }', 'tmpfs.mode': '"1777"',
  'ipam.driver': 'default', 'logging.driver': 'json-file', 'network.driver': 'bridge', 'volume.driver': 'local',
  'network.name': 'shop_front', 'volume.name': 'shop_data', 'config.subnet': '10.213.1.0/24',
  'env_file.path': './web.env', 'depends_on.condition': 'service_healthy', 'depends_on.restart': 'true',
  '.variables': '{ port: { default: 8080 } }', '.machines': '{ web1: { driver: local } }',
  '.drivers': '{ hetzner: ./bin/mfile-driver-hetzner }', '.networks': '{ front: {} }', '.volumes': '{ data: {} }',
  '.secrets': '{ db_password: { file: ./secrets/db_password.txt } }', '.containers': '{ web: { image: "nginx:1.27" } }',
  'machine.engine': '{ port: 2376 }', 'container.healthcheck': '{ test: ["CMD", "true"], interval: 30s }',
  'container.deploy': '{ replicas: 2 }', 'resources.limits': '{ memory: 512m }', 'resources.reservations': '{ memory: 256m }',
  'deploy.resources': '{ limits: { memory: 512m } }', 'network.ipam': '{ config: [{ subnet: 10.213.1.0/24 }] }',
  'ipam.config': '[{ subnet: 10.213.1.0/24 }]', 'config.aux_addresses': '{ router: 10.213.1.5 }',
  'generic.user': 'deploy', 'jump.user': 'deploy', 'generic.jump': '{ host: bastion.example.com }', 'jump.host': 'bastion.example.com',
  'ulimits.soft': '1024', 'ulimits.hard': '4096', 'mount.bind': '{ propagation: rprivate }', 'mount.volume': '{ nocopy: true }',
  'mount.tmpfs': '{ size: 64m }', 'tmpfs.size': '64m', 'propagation': 'rprivate',
};

// The placeholder name under a map of named entries.
const ENTRY: Record<string, string> = { depends_on: 'db', networks: 'front', ulimits: 'nofile', aux_addresses: 'router' };

function sample(scope: string, key: string, s: Schema): string {
  if (Array.isArray(s.examples) && s.examples.length) {
    const first: unknown = s.examples[0];
    return typeof first === 'string' && /^[A-Za-z0-9/._:-]+$/.test(first) ? first : JSON.stringify(first);
  }
  if (Object.hasOwn(SCOPED, `${scope}.${key}`)) return SCOPED[`${scope}.${key}`];
  if (Object.hasOwn(SAMPLE, key)) return SAMPLE[key];
  if (s.default !== undefined) return JSON.stringify(s.default);
  if (Array.isArray(s.enum) && s.enum.length) return String(s.enum[0]);
  const type = Array.isArray(s.type) ? s.type[0] : s.type;
  if (type === 'boolean') return 'true';
  if (type === 'integer' || type === 'number') return String(s.minimum ?? 1);
  if (type === 'array') return '[]';
  if (type === 'object') return '{}';
  return 'value';
}

function snippet(scope: string, context: string[], key: string, s: Schema): string {
  const indent = context.length ? ' '.repeat(context[context.length - 1].search(/\S/) + 2) : '';
  const lines = [...context, `${indent}${key}: ${sample(scope, key, s)}`];
  // A list item's first key goes on the dash line.
  if (context.at(-1)?.trim() === '-') lines.splice(-2, 2, `${context.at(-1)} ${key}: ${sample(scope, key, s)}`);
  return lines.join('\n');
}

function annotate(props: Schema, context: string[], scope: string): void {
  for (const [key, value] of Object.entries(props)) {
    const s = value as Schema;
    if (typeof s !== 'object' || s === null) continue;
    if (typeof s.description === 'string' && s.markdownDescription === undefined && s.not === undefined) {
      s.markdownDescription = `${s.description}\n\n\`\`\`yaml\n${snippet(scope, context, key, s)}\n\`\`\``;
    }
    // Nested objects: their keys sit one level below this one (in a list item, or under a named entry).
    const indent = context.length ? ' '.repeat(context[context.length - 1].search(/\S/) + 2) : '';
    const items = s.items as Schema | undefined;
    const entries = s.additionalProperties as Schema | undefined;
    if (s.properties) annotate(s.properties as Schema, [...context, `${indent}${key}:`], key);
    else if (items?.properties) annotate(items.properties as Schema, [...context, `${indent}${key}:`, `${indent}  -`], key);
    else if (entries?.properties)
      annotate(entries.properties as Schema, [...context, `${indent}${key}:`, `${indent}  ${ENTRY[key] ?? 'name'}:`], key);
  }
}

/** Adds markdownDescription (description + YAML example) to every key of the base schema and driver blocks. */
export function addHoverText(schema: Schema, driverBlocks: string[]): void {
  annotate(schema.properties as Schema, CONTEXT[''], '');
  const defs = schema.$defs as Record<string, Schema>;
  for (const [name, def] of Object.entries(defs)) {
    if (def.properties) annotate(def.properties as Schema, CONTEXT[name] ?? [], name);
  }
  const machine = defs.machine.properties as Schema;
  for (const block of driverBlocks) {
    const s = machine[block] as Schema | undefined;
    if (s?.properties) annotate(s.properties as Schema, [...CONTEXT.machine, `    ${block}:`], block);
  }
}
