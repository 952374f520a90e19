// The state file mfile would hold after applying `desired` (every machine and object recorded), so the bench
// can time a plan with one change against a whole applied fleet. Build first (uses dist/).
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const plan = await import(pathToFileURL(path.join(root, 'dist/plan/index.js')).href);
const { objectAddress } = await import(pathToFileURL(path.join(root, 'dist/plan/names.js')).href);
const T = '2026-01-01T00:00:00.000Z';

export function appliedState(d) {
  const state = { version: 1, mfile_version: '0.1.0', lineage: 'bench', serial: 3, machines: {}, objects: {} };
  for (const m of Object.values(d.machines)) {
    const rec = { name: m.name, driver: m.driver, status: 'created', driverOptions: plan.maskRecord(m.driverOptions, d.sensitiveValues), driverData: {}, updatedAt: T };
    if (m.driver !== 'local' && m.driver !== 'none') {
      rec.engineHash = plan.engineConfigHash(m, d.sensitiveDigests);
      rec.engine = plan.maskRecord(plan.engineAttributes(m), d.sensitiveValues);
    }
    state.machines[m.name] = rec;
  }
  const record = (r) => (state.objects[r.address] = { ...r, status: 'created', updatedAt: T });
  for (const c of Object.values(d.containers)) {
    for (const m of c.machines) {
      const configHash = plan.containerConfigHash(c, d.project, d.sensitiveDigests);
      record({ address: objectAddress('container', c.name, m), kind: 'container', machine: m, name: c.name, id: `c-${c.name}-${m}`, configHash, attributes: plan.maskRecord(plan.containerAttributes(c), d.sensitiveValues) });
      for (const n of Object.keys(c.networks)) {
        const spec = d.networks[n];
        const address = objectAddress('network', n, m);
        if (spec.external || state.objects[address]) continue;
        record({ address, kind: 'network', machine: m, name: n, id: `n-${n}-${m}`, configHash: plan.networkConfigHash(spec, d.project, d.sensitiveDigests), attributes: plan.networkAttributes(spec) });
      }
      for (const v of c.volumes) {
        if (v.type !== 'volume' || !v.source) continue;
        const spec = d.volumes[v.source];
        const address = objectAddress('volume', v.source, m);
        if (spec.external || state.objects[address]) continue;
        record({ address, kind: 'volume', machine: m, name: v.source, id: `${d.project}_${v.source}`, configHash: plan.volumeConfigHash(spec, d.project, d.sensitiveDigests), attributes: plan.volumeAttributes(spec) });
      }
    }
  }
  return state;
}
