// The validated data -> the parts of Desired: every short form in its long form, defaults applied,
// containers placed on machines, deploy.replicas expanded.
import type { ContainerSpec, MachineSpec, NetworkSpec, RegistrySpec, SecretSpec, VolumeSpec } from '../model/desired.js';
import { obj, report, type Context, type Raw } from './context.js';
import { normaliseContainer, type NormalisedContainer } from './normalise-container.js';
import { normaliseMachines, normaliseNetworks, normaliseSecrets, normaliseVolumes } from './normalise-hosts.js';
import { normaliseRegistries } from './normalise-registries.js';

export interface Normalised {
  machines: Record<string, MachineSpec>;
  networks: Record<string, NetworkSpec>;
  volumes: Record<string, VolumeSpec>;
  secrets: Record<string, SecretSpec>;
  registries: Record<string, RegistrySpec>;
  /** Containers as written (before replicas are expanded), for the cross-checks. */
  written: Record<string, NormalisedContainer>;
}

function placement(ctx: Context, name: string, c: Raw, machineNames: string[]): string[] {
  if (c.machine !== undefined && c.machines !== undefined) {
    report(ctx, ['containers', name, 'machines'], `containers.${name}: use machine or machines, not both`, { key: true });
  }
  if (Array.isArray(c.machines)) return c.machines.map(String);
  if (typeof c.machine === 'string') return [c.machine];
  // Machines that failed the schema still count: their error is reported already, and a container without
  // machine: among several is an error whether or not some of them are valid.
  if (ctx.excluded?.whole.has('machines')) return [];
  const failed = [...(ctx.excluded?.names.machines ?? [])];
  if (machineNames.length === 1 && !failed.length) return [...machineNames];
  if (machineNames.length + failed.length === 1) return [];
  if (machineNames.length === 0) {
    report(ctx, ['containers', name], `containers.${name}: no machine to run on; declare one under machines`, { key: true });
    return [];
  }
  report(
    ctx,
    ['containers', name],
    `containers.${name}: no machine given; add machine: NAME (one of: ${[...machineNames, ...failed].sort().join(', ')})`,
    { key: true },
  );
  return [];
}

export function normalise(ctx: Context, data: Raw): Normalised {
  const machines = normaliseMachines(ctx, obj(data.machines));
  const machineNames = Object.keys(machines).sort();
  const written: Record<string, NormalisedContainer> = {};
  for (const [name, value] of Object.entries(obj(data.containers))) {
    const c = obj(value);
    written[name] = normaliseContainer(ctx, name, c, placement(ctx, name, c, machineNames));
  }
  return {
    machines,
    networks: normaliseNetworks(obj(data.networks)),
    volumes: normaliseVolumes(obj(data.volumes)),
    secrets: normaliseSecrets(ctx, obj(data.secrets)),
    registries: normaliseRegistries(ctx, obj(data.registries)),
    written,
  };
}

/**
 * deploy.replicas: N > 1 becomes NAME-1 .. NAME-N with the same spec; 0 removes the container. Whoever
 * depends on a replicated container depends on every replica.
 */
export function expandReplicas(ctx: Context, written: Record<string, NormalisedContainer>): Record<string, ContainerSpec> {
  const replicaNames = (name: string): string[] => {
    // hasOwn: a dependency named 'constructor' is no entry of this map.
    const n = (Object.hasOwn(written, name) ? written[name].spec.replicas : undefined) ?? 1;
    return n === 1 ? [name] : Array.from({ length: n }, (_, i) => `${name}-${i + 1}`);
  };
  const out: Record<string, ContainerSpec> = {};
  for (const name of Object.keys(written).sort()) {
    const { spec } = written[name];
    const names = replicaNames(name);
    const dependsOn: ContainerSpec['depends_on'] = {};
    for (const [dep, cond] of Object.entries(spec.depends_on)) {
      for (const d of Object.hasOwn(written, dep) ? replicaNames(dep) : [dep]) dependsOn[d] = cond;
    }
    for (const n of names) {
      if (n !== name && Object.hasOwn(written, n)) {
        report(ctx, ['containers', name, 'deploy', 'replicas'], `containers.${name}: replica name '${n}' is also a container in this file`);
        continue;
      }
      // Replicas need their own copies; a single container keeps its spec object, which nothing else holds
      // (cloning 10,000 specs cost seconds, and even a shallow copy of each is work for the collector).
      if (names.length === 1) {
        spec.depends_on = dependsOn;
        spec.replicas = 1;
        out[n] = spec;
      } else out[n] = { ...structuredClone(spec), name: n, depends_on: structuredClone(dependsOn), replicas: 1 };
    }
  }
  return out;
}
