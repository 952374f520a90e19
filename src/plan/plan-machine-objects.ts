// Everything declared on one machine: its networks, volumes, images and containers, and deletes for the rest.
import type { ContainerSpec, NetworkSpec, VolumeSpec } from '../model/index.js';
import { byString, existingNames, type PlanContext, type MachineView } from './plan-context.js';
import { pullRank, planImage } from './plan-images.js';
import { planContainer } from './plan-containers.js';
import { implicitNetwork, implicitVolume, planSharedObject, sharedSpec } from './plan-networks-volumes.js';
import { deleteExisting } from './plan-deletes.js';

export function planMachineObjects(ctx: PlanContext, view: MachineView): void {
  const m = view.name;
  const specs = ctx.specsByMachine.get(m) ?? [];
  const networks = new Map<string, NetworkSpec>();
  const volumes = new Map<string, VolumeSpec>();
  const images = new Map<string, ContainerSpec>();
  for (const spec of specs) {
    if (spec.replicas > 1) ctx.warnings.push(`container ${spec.name}: replicas > 1 is not supported yet; one container runs per machine`);
    for (const n of Object.keys(spec.networks)) networks.set(n, ctx.desired.networks[n] ?? implicitNetwork(n));
    for (const v of spec.volumes) {
      if (v.type === 'volume' && v.source) volumes.set(v.source, ctx.desired.volumes[v.source] ?? implicitVolume(v.source));
    }
    const seen = images.get(spec.image);
    if (!seen || pullRank(spec.pull_policy) > pullRank(seen.pull_policy)) images.set(spec.image, spec);
  }

  for (const [name, spec] of [...networks].sort((a, b) => byString(a[0], b[0]))) {
    if (!spec.external) planSharedObject(ctx, view, 'network', name, sharedSpec(ctx, 'network', spec));
  }
  for (const [name, spec] of [...volumes].sort((a, b) => byString(a[0], b[0]))) {
    if (!spec.external) planSharedObject(ctx, view, 'volume', name, sharedSpec(ctx, 'volume', spec));
  }
  for (const [ref, spec] of [...images].sort((a, b) => byString(a[0], b[0]))) planImage(ctx, view, ref, spec);
  for (const spec of specs) planContainer(ctx, view, spec, networks, volumes);

  // Whatever exists on the machine and is not declared for it goes.
  if (view.mode === 'fresh') return;
  const declared: Record<'container' | 'network' | 'volume', ReadonlySet<string>> = {
    container: new Set(specs.map((s) => s.name)),
    network: new Set([...networks].filter(([, s]) => !s.external).map(([n]) => n)),
    volume: new Set([...volumes].filter(([, s]) => !s.external).map(([n]) => n)),
  };
  for (const kind of ['container', 'network', 'volume'] as const) {
    const pool = kind === 'container' ? ctx.desired.containers : kind === 'network' ? ctx.desired.networks : ctx.desired.volumes;
    for (const name of existingNames(view, kind)) {
      if (declared[kind].has(name)) continue;
      const rec = view.records[kind].get(name);
      const reason =
        name in pool
          ? kind === 'container'
            ? `no longer runs on ${m}`
            : `no longer used on ${m}`
          : rec
            ? 'removed from machines.yml'
            : 'not declared in machines.yml';
      deleteExisting(ctx, view, kind, name, [reason]);
    }
  }
}
