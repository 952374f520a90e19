// Planner bench: 1,000 machines and 10,000 containers against an empty state (targets: < 1 s, < 300 MB peak RSS).
// Wall time is noisy on a busy machine; the CPU time of the plan() call is printed beside it.
// Build first: npx tsc -p tsconfig.build.json. Options: --machines N --containers N --repeat N --yaml (load machines.yml with loadConfig).
import { performance } from 'node:perf_hooks';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { generateDesired, generateYaml } from './generate.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const size = { machines: arg('machines', 1000), containers: arg('containers', 10000) };
const { plan, renderPlanText, topoOrder } = await import(pathToFileURL(path.join(root, 'dist/plan/index.js')).href);

const emptyState = { version: 1, mfile_version: '0.1.0', lineage: 'bench', serial: 0, machines: {}, objects: {} };
const observed = { refreshed: true, machines: {} };
const mb = (kb) => `${(kb / 1024).toFixed(0)} MB`;

let desired;
let source = 'generated Desired';
if (process.argv.includes('--yaml') && existsSync(path.join(root, 'dist/config/index.js'))) {
  const { loadConfig } = await import(pathToFileURL(path.join(root, 'dist/config/index.js')).href);
  const { builtinCatalog } = await import(pathToFileURL(path.join(root, 'dist/drivers/catalog.js')).href);
  const dir = mkdtempSync(path.join(tmpdir(), 'mfile-bench-'));
  const file = path.join(dir, 'machines.yml');
  writeFileSync(file, generateYaml(size));
  const t0 = performance.now();
  desired = await loadConfig({ file, env: {} }, builtinCatalog());
  console.log(`loadConfig: ${(performance.now() - t0).toFixed(0)} ms`);
  rmSync(dir, { recursive: true, force: true });
  source = 'machines.yml via loadConfig';
} else {
  const { builtinCatalog } = await import(pathToFileURL(path.join(root, 'dist/drivers/catalog.js')).href);
  desired = generateDesired({ ...size, drivers: builtinCatalog() });
}

const c0 = process.cpuUsage();
const t0 = performance.now();
const p = plan(desired, emptyState, observed);
const tPlan = performance.now() - t0;
const cpu = process.cpuUsage(c0);
const peakAfterPlanKb = process.resourceUsage().maxRSS;
// Warm runs (JIT done) separate the planner's own cost from start-up; the cold first call is what a CLI run pays.
const warm = [];
for (let i = 1; i < arg('repeat', 4); i++) {
  const t = performance.now();
  plan(desired, emptyState, observed);
  warm.push(performance.now() - t);
}
const t1 = performance.now();
const order = topoOrder(p);
const tTopo = performance.now() - t1;
const t2 = performance.now();
const text = renderPlanText(p);
const tText = performance.now() - t2;

console.log(`input: ${source}, ${size.machines} machines, ${size.containers} containers`);
console.log(`plan(): ${tPlan.toFixed(0)} ms wall, ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms CPU, ${p.nodes.length} nodes, summary ${JSON.stringify(p.summary)}`);
if (warm.length) console.log(`plan() warm: min ${Math.min(...warm).toFixed(0)} ms of ${warm.length} more runs`);
console.log(`topoOrder(): ${tTopo.toFixed(0)} ms (${order.length} nodes); renderPlanText(): ${tText.toFixed(0)} ms (${(text.length / 1e6).toFixed(1)} MB of text)`);
console.log(`peak rss after the first plan(): ${mb(peakAfterPlanKb)}; after everything: ${mb(process.resourceUsage().maxRSS)}`);
const ok = tPlan < 1000 && peakAfterPlanKb < 300 * 1024;
console.log(ok ? 'within target (plan < 1 s, peak RSS < 300 MB)' : 'OVER TARGET (plan < 1 s, peak RSS < 300 MB)');
process.exitCode = ok ? 0 : 1;
