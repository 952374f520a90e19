// Delete nodes for what exists on a machine and is no longer declared there.
import { objectAddress } from './names.js';
import { byString, existingNames, type PlanContext, type MachineView } from './plan-context.js';
import { imageToRemove } from './plan-images.js';

/** Everything on a machine that is removed (or everything, for destroy). */
export function planDeleteAll(ctx: PlanContext, view: MachineView): void {
  const reasons = !ctx.destroy ? [`machine ${view.name} is removed from machines.yml`] : [];
  for (const kind of ['container', 'network', 'volume'] as const) {
    for (const name of existingNames(view, kind)) deleteExisting(ctx, view, kind, name, reasons);
  }
  for (const [name, rec] of [...view.records.image].sort((a, b) => byString(a[0], b[0]))) {
    ctx.add({ address: rec.address, kind: 'image', machine: view.name, name, action: 'delete', reasons, before: { ref: name }, after: null, dependsOn: [], existingId: rec.id, image: imageToRemove(ctx, view.name, name, rec.id) });
  }
}

/** Delete nodes for the recorded object and every instance found by labels. */
export function deleteExisting(ctx: PlanContext, view: MachineView, kind: 'container' | 'network' | 'volume', name: string, reasons: string[]): void {
  const m = view.name;
  const address = objectAddress(kind, name, m);
  const rec = view.records[kind].get(name);
  const found = view.mode === 'live' ? [...(view.found[kind].get(name) ?? [])].sort((a, b) => byString(a.id, b.id)) : [];
  const before = rec?.attributes ?? {};
  if (found.length === 0) {
    if (rec) ctx.add({ address, kind, machine: m, name, action: 'delete', reasons, before, after: null, dependsOn: [], existingId: rec.id });
    return;
  }
  const first = found.find((f) => f.id === rec?.id) ?? found[0];
  ctx.add({ address, kind, machine: m, name, action: 'delete', reasons, before, after: null, dependsOn: [], existingId: first.id });
  for (const f of found) if (f !== first) ctx.addDuplicateDelete(kind, name, m, f.id, reasons);
}
