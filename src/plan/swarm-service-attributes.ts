// Names and hashes of swarm objects: engine names (`<project>_<name>`, secrets and configs with a content digest),
// a service's shown attributes, its config hash (stamped on the service) and its task hash (stamped on tasks).
import type { ServiceSpec } from '../model/index.js';
import { prune } from './attributes.js';
import { canonicalJson, sha256Hex } from './canonical.js';

export function serviceEngineName(project: string, name: string): string {
  return `${project}_${name}`;
}

/** A secret's or config's engine name: a new name for every new content. */
export function swarmFileEngineName(project: string, name: string, digest: string | undefined): string {
  return `${project}_${name}_${digest ? digest.slice(0, 12) : 'unreadable'}`;
}

/** The attributes a service plan shows and diffs; the engine names of its secrets and configs are part of it. */
export function serviceAttributes(spec: ServiceSpec, refs: { secrets: Record<string, string>; configs: Record<string, string> }): Record<string, unknown> {
  const { name: _name, ...rest } = spec;
  return prune({
    ...rest,
    secrets: spec.secrets.map((s) => ({ ...s, name: refs.secrets[s.source] })),
    configs: spec.configs.map((c) => ({ ...c, name: refs.configs[c.source] })),
  }) as Record<string, unknown>;
}

export function serviceConfigHash(project: string, attributes: Record<string, unknown>): string {
  return sha256Hex(canonicalJson({ kind: 'service', project, spec: attributes }));
}

/** The part of a service its tasks run: scaling or new update settings leave running tasks as they are. */
export function serviceTaskHash(project: string, attributes: Record<string, unknown>): string {
  const deploy = (attributes.deploy ?? {}) as Record<string, unknown>;
  const { deploy: _d, ports: _p, ...task } = attributes;
  return sha256Hex(canonicalJson({ kind: 'task', project, spec: { ...task, resources: deploy.resources, placement: deploy.placement, restart_policy: deploy.restart_policy } }));
}
