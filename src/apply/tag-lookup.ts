// Refresh's registry pass: each tag of a declared registry used on a machine, resolved to its digest through
// that machine's engine (so the machine's own CA and network view apply). A registry that does not answer is
// noted per tag; the planner turns the note into a warning and plans on without it.
import type Docker from 'dockerode';
import type { Desired, TagLookup } from '../model/index.js';
import { registryOf } from '../model/index.js';
import { distributionDigest, registryFailure } from '../remote/docker/registry.js';

export async function lookUpTags(docker: Docker, machine: string, desired: Desired, signal: () => AbortSignal): Promise<{ tags?: Record<string, TagLookup> }> {
  if (!desired.registries) return {};
  const refs = new Set<string>();
  for (const c of Object.values(desired.containers)) {
    if (!c.machines.includes(machine) || c.image.includes('@')) continue;
    if (registryOf(c.image, desired.registries)) refs.add(c.image);
  }
  if (refs.size === 0) return {};
  const provisioned = desired.machines[machine]?.traits.provisioned ?? false;
  const entries = await Promise.all(
    [...refs].sort().map(async (ref): Promise<[string, TagLookup]> => {
      const registry = registryOf(ref, desired.registries)!;
      try {
        return [ref, { digest: await distributionDigest(docker, ref, registry, signal()) }];
      } catch (err) {
        return [ref, { error: registryFailure(err, { registry, ref, machine, provisioned, doing: 'check the tag of' }) }];
      }
    }),
  );
  return { tags: Object.fromEntries(entries) };
}
