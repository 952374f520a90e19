// Keys that exist in Compose (or in a whole compose.yaml) but make no sense for containers placed on
// machines. Each gets a reason instead of a bare "unknown key".
import type { Path } from './path-text.js';

const SWARM = 'it configures Swarm services: write it under a top-level services entry (a swarm of machines with swarm roles); a container runs on the machines it names';
const NOT_YET = 'mfile v1 does not implement this Compose key';
const WINDOWS = 'it applies to Windows containers only; mfile machines run Linux engines';

const CONTAINER: Record<string, string> = {
  profiles: 'every container in machines.yml is deployed; remove it or use a separate file',
  extends: 'machines.yml is one self-contained file; share settings with a YAML anchor (x-common: &common, then <<: *common)',
  scale: 'use deploy.replicas, which makes containers NAME-1 .. NAME-N',
  links: 'legacy Compose; containers on a shared network reach each other by name',
  external_links: 'legacy Compose; attach the container to the other one\'s network instead',
  configs: 'use a secret or a bind mount (volumes) for configuration files (configs are for Swarm services)',
  develop: 'it drives `compose watch`, a development workflow',
  attach: 'mfile does not attach to container output',
  provider: 'Compose provider services are not containers',
  isolation: WINDOWS,
  credential_spec: WINDOWS,
  models: NOT_YET,
  post_start: NOT_YET,
  pre_stop: NOT_YET,
  use_api_socket: NOT_YET,
  cpu_count: WINDOWS,
  cpu_percent: WINDOWS,
  pull_refresh_after: 'mfile pulls when you apply, never on a timer: use pull_policy: always, or pin a new tag or digest',
  volume_driver: 'set the driver on the volume under top-level volumes',
};

const DEPLOY: Record<string, string> = {
  mode: `${SWARM}; choose where it runs with machine / machines`,
  placement: `${SWARM}; choose where it runs with machine / machines`,
  rollback_config: `${SWARM}; mfile replaces a changed container in place`,
  restart_policy: `${SWARM}; use restart: on-failure, always or unless-stopped`,
  endpoint_mode: `${SWARM}; containers on a network reach each other by name`,
  labels: `${SWARM}; put container labels under labels`,
};

const UPDATE_CONFIG: Record<string, string> = {
  max_failure_ratio: `${NOT_YET}: one failed machine stops a rolling update (or, with failure_action continue, none does)`,
};

const TOP: Record<string, string> = {
  include: 'machines.yml is one self-contained file',
  name: 'the project name is set with project',
  models: NOT_YET,
};

const SECRET: Record<string, string> = {
  environment: 'secrets come from files: use file: PATH (or a variable with sensitive: true)',
  external: 'secrets come from files: use file: PATH',
  name: 'secrets come from files: use file: PATH',
  content: 'secrets come from files: use file: PATH',
};

const BUILD_KEYS = [
  'cache_from', 'cache_to', 'labels', 'network', 'shm_size', 'ssh', 'secrets', 'tags', 'platforms', 'extra_hosts',
  'no_cache', 'pull', 'additional_contexts', 'dockerfile_inline', 'isolation', 'privileged', 'ulimits',
  'entitlements', 'provenance', 'sbom',
];

/** Why `key` is rejected in the mapping at `parent`, or undefined when it is simply unknown. */
export function unsupportedReason(parent: Path, key: string): string | undefined {
  const p = parent.map(String);
  const table =
    p.length === 0 ? TOP
    : p.length === 2 && p[0] === 'containers' ? CONTAINER
    : p.length === 3 && p[0] === 'containers' && p[2] === 'deploy' ? DEPLOY
    : p.length === 2 && p[0] === 'secrets' ? SECRET
    : undefined;
  const reason = table && Object.hasOwn(table, key) ? table[key] : undefined;
  if (reason) return reason;
  if (p.length === 3 && p[0] === 'containers' && p[2] === 'build' && BUILD_KEYS.includes(key)) return NOT_YET;
  if (p.length === 5 && p[2] === 'deploy' && p[4] === 'reservations' && (key === 'devices' || key === 'generic_resources'))
    return NOT_YET;
  if (p.length === 4 && p[2] === 'deploy' && p[3] === 'update_config' && Object.hasOwn(UPDATE_CONFIG, key)) return UPDATE_CONFIG[key];
  return undefined;
}

/** Where in the schema (a path of object keys to a `properties` map) each refused key goes, with its reason. */
export function refusedKeysBySchemaPath(): [string[], Record<string, string>][] {
  const build = Object.fromEntries(BUILD_KEYS.map((k) => [k, NOT_YET]));
  return [
    [['properties'], TOP],
    [['$defs', 'container', 'properties'], CONTAINER],
    [['$defs', 'deploy', 'properties'], DEPLOY],
    [['$defs', 'secret', 'properties'], SECRET],
    [['$defs', 'container', 'properties', 'build', 'properties'], build],
    [['$defs', 'deploy', 'properties', 'update_config', 'properties'], UPDATE_CONFIG],
    [['$defs', 'resources', 'properties'], { devices: `${NOT_YET} (under reservations)`, generic_resources: `${NOT_YET} (under reservations)` }],
  ];
}
