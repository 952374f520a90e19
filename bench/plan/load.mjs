// Loading bench: the full CLI on the generated 1,000-machine, 10,000-container machines.yml, beside the time a
// plain js-yaml parse of the same file takes in the same run (this box's speed drifts, so the ratio is the
// steadier figure) and beside loadConfig in-process. Prints figures only; it asserts nothing.
// Build first (npm run build). Options: --machines N --containers N --repeat N (medians) --positioned (also
// time loadConfig with the positioned reader only: slow).
// Targets: validate <= 1.0 s and <= 3.5x the parse; plan --refresh=false <= 1.5 s and <= 5x; peak RSS <= 400 MB.
// Each line carries the 1-minute load average seen over its runs: on a shared box, wall time mostly measures that.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { appliedState } from './applied-state.mjs';
import { generateYaml } from './generate.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const size = { machines: arg('machines', 1000), containers: arg('containers', 10000) };
const repeat = arg('repeat', 3);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const s = (ms) => `${(ms / 1000).toFixed(2)} s`;
const loadavg = () => Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
const { loadConfig } = await import(pathToFileURL(path.join(root, 'dist/config/index.js')).href);
const { builtinCatalog } = await import(pathToFileURL(path.join(root, 'dist/drivers/catalog.js')).href);

const dir = mkdtempSync(path.join(tmpdir(), 'mfile-load-bench-'));
const file = path.join(dir, 'machines.yml');
const yaml = generateYaml(size);
writeFileSync(file, yaml);
console.log(`file: ${(yaml.length / 1e6).toFixed(1)} MB, ${size.machines} machines, ${size.containers} containers; load average ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);

/** A plain js-yaml parse of the file in a fresh process (cold, as a CLI run is): ms. */
function plainParse() {
  const script = `import { load } from 'js-yaml'; import { readFileSync } from 'node:fs';
const t = readFileSync(${JSON.stringify(file)}, 'utf8'); const c0 = process.cpuUsage(); const t0 = performance.now(); load(t);
const c = process.cpuUsage(c0); console.log(performance.now() - t0, (c.user + c.system) / 1000);`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  const [wall, cpu] = r.stdout.trim().split(' ').map(Number);
  return { wall, cpu };
}

const compareIdx = process.argv.indexOf('--compare');
const builds = [['', root], ...(compareIdx >= 0 ? [['(compare) ', path.resolve(process.argv[compareIdx + 1])]] : [])];

/** One CLI run: wall ms and peak RSS in KB (from /usr/bin/time when present, else wall only). */
function cli(args, build = root) {
  const mfile = [path.join(build, 'bin/mfile.js'), ...args, '-f', file];
  const timed = existsSync('/usr/bin/time');
  const t0 = performance.now();
  const r = timed
    ? spawnSync('/usr/bin/time', ['-f', 'MFILE_BENCH_RSS %M %U %S', process.execPath, ...mfile], { cwd: dir, encoding: 'utf8', maxBuffer: 1 << 28 })
    : spawnSync(process.execPath, mfile, { cwd: dir, encoding: 'utf8', maxBuffer: 1 << 28 });
  const wall = performance.now() - t0;
  const m = /MFILE_BENCH_RSS (\d+) ([\d.]+) ([\d.]+)/.exec(r.stderr);
  const rss = Number(m?.[1] ?? NaN);
  const cpu = (Number(m?.[2] ?? NaN) + Number(m?.[3] ?? NaN)) * 1000;
  if (r.status !== 0 && r.status !== 2) throw new Error(`mfile ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return { wall, cpu, rss, stdout: r.stdout };
}

async function inProcess(reader) {
  const t0 = performance.now();
  const d = await loadConfig({ file, env: {}, reader }, builtinCatalog());
  return { ms: performance.now() - t0, d };
}

const fresh = () => ({ loadValidate: [], loadPlan: [], loadOne: [], validate: [], validateCpu: [], validateRss: [], plan: [], planCpu: [], planRss: [], one: [], oneCpu: [], oneRss: NaN, oneOut: '' });
const runs = { loadParse: [], parse: [], parseCpu: [], load: [], positioned: [] };
const per = builds.map(() => fresh());
let desired;
for (let i = 0; i < repeat; i++) {
  runs.loadParse.push(loadavg());
  const pp = plainParse();
  runs.parse.push(pp.wall);
  runs.parseCpu.push(pp.cpu);
  builds.forEach(([, build], b) => {
    const r = per[b];
    r.loadValidate.push(loadavg());
    const v = cli(['validate'], build);
    r.validate.push(v.wall);
    r.validateCpu.push(v.cpu);
    r.validateRss.push(v.rss);
    r.loadPlan.push(loadavg());
    const p = cli(['plan', '--refresh=false'], build);
    r.plan.push(p.wall);
    r.planCpu.push(p.cpu);
    r.planRss.push(p.rss);
  });
  const l = await inProcess('auto');
  runs.load.push(l.ms);
  desired = l.d;
  if (process.argv.includes('--positioned')) runs.positioned.push((await inProcess('positioned')).ms);
}

// One changed container against the whole fleet applied.
mkdirSync(path.join(dir, '.mfile'), { recursive: true });
writeFileSync(path.join(dir, '.mfile', 'state.json'), JSON.stringify(appliedState(desired)));
const target = `c${Math.floor(size.containers / 2)}`;
const at = yaml.indexOf(`\n  ${target}:\n`);
const img = yaml.indexOf('    image: ', at);
writeFileSync(file, `${yaml.slice(0, img)}    image: busybox:1.36${yaml.slice(yaml.indexOf('\n', img))}`);
for (let i = 0; i < repeat; i++) {
  builds.forEach(([, build], b) => {
    const r = per[b];
    r.loadOne.push(loadavg());
    const o = cli(['plan', '--refresh=false'], build);
    r.one.push(o.wall);
    r.oneCpu.push(o.cpu);
    r.oneRss = o.rss;
    r.oneOut = o.stdout;
  });
}
rmSync(dir, { recursive: true, force: true });

const parse = median(runs.parse);
const parseCpu = median(runs.parseCpu);
const mb = (kb) => (Number.isFinite(kb) ? `${(kb / 1024).toFixed(0)} MB` : 'n/a');
const ratio = (ms, base) => `${(ms / base).toFixed(1).padStart(5)}x`;
// Wall time on a shared box mostly measures the other processes; CPU time (user + system) is the steadier figure.
// A target is met when the wall time is within its seconds AND a ratio (wall to wall or CPU to CPU) within its
// factor AND the peak RSS within 400 MB; each part is printed so a miss says which.
const la = (xs) => `load ${median(xs).toFixed(1)}`;
const line = (name, ms, cpu, rssKb, limitMs, limitX, loads) => {
  const secs = ms <= limitMs;
  const factor = ms / parse <= limitX || cpu / parseCpu <= limitX;
  const rss = !(rssKb > 400 * 1024);
  const verdict = secs && factor && rss ? 'MET' : `NOT MET (${[!secs && `> ${limitMs / 1000} s`, !factor && `> ${limitX}x`, !rss && '> 400 MB'].filter(Boolean).join(', ')})`;
  console.log(
    `${name.padEnd(38)} ${s(ms).padStart(8)} ${ratio(ms, parse)}  CPU ${s(cpu).padStart(8)} ${ratio(cpu, parseCpu)}  peak ${mb(rssKb).padStart(7)}  ${la(loads)}  ${verdict}`,
  );
};
console.log(`medians of ${repeat} run(s); ratios are to the plain parse (wall to wall, CPU to CPU); load = 1-min load average (2 cores)`);
console.log(`${'plain js-yaml parse (fresh process)'.padEnd(38)} ${s(parse).padStart(8)}        CPU ${s(parseCpu).padStart(8)}                        ${la(runs.loadParse)}`);
console.log(`${'loadConfig in-process'.padEnd(38)} ${s(median(runs.load)).padStart(8)} ${ratio(median(runs.load), parse)}`);
if (runs.positioned.length) console.log(`${'loadConfig, positioned reader only'.padEnd(38)} ${s(median(runs.positioned)).padStart(8)} ${ratio(median(runs.positioned), parse)}`);
builds.forEach(([label], b) => {
  const r = per[b];
  line(`${label}mfile validate`, median(r.validate), median(r.validateCpu), Math.max(...r.validateRss), 1000, 3.5, r.loadValidate);
  line(`${label}mfile plan --refresh=false`, median(r.plan), median(r.planCpu), Math.max(...r.planRss), 1500, 5, r.loadPlan);
  line(`${label}  same, ${target} changed, fleet applied`, median(r.one), median(r.oneCpu), r.oneRss, 1500, 5, r.loadOne);
  const shown = r.oneOut.split('\n').filter((l) => /^ {2}# \S+ (?:will|must) be /.test(l));
  console.log(`  its plan text: ${r.oneOut.split('\n').length} lines; ${(r.oneOut.match(/^Plan: .*$/m) ?? ['no summary'])[0]}`);
  for (const l of shown.slice(0, 4)) console.log(`    ${l.trim()}`);
  if (shown.length > 4) console.log(`    ... and ${shown.length - 4} more`);
  if (process.argv.includes('--show-plan')) console.log(r.oneOut.split('\n').slice(0, 40).join('\n'));
});
