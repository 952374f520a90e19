#!/usr/bin/env node
// Fleet bench: K = 1, 4, 12, 30 sandbox machines with 10 containers each, through the built CLI as a user runs it:
// a fresh apply from nothing, a no-op plan with refresh, a one-image change rolled to all, then destroy. For each
// phase: wall time, SSH logins (counted from each machine's own sshd log, so from outside mfile), peak RSS of the
// mfile process (the kernel's figure for the waited child, read by a python wrapper since Node has no
// RUSAGE_CHILDREN), and the box's load average before the phase (sandbox machines share this box's cores).
// Then the marginal cost per added machine of a fresh apply, between consecutive sizes.
// Targets (issue: speed at scale): no-op plan with refresh of 30 machines <= 3 s; RSS <= 200 MB at 30 machines;
// the marginal cost per machine of a fresh apply does not grow with K.
// Needs root, the built CLI (npm run build) and the local dockerd. Options: --sizes 1,4,12,30 --containers 10
// --subnet CIDR (the sandbox machines' subnet) --compare ROOT (also time the no-op plan, on the same machines and
// alternating with this build, with the built CLI of another checkout, e.g. a copy of the build before a change)
// --noop-repeat N (no-op plans per build, median) --cpu-prof DIR (one more no-op plan under node --cpu-prof).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const sizes = arg('--sizes', '1,4,12,30').split(',').map(Number);
const perMachine = Number(arg('--containers', '10'));
const SUBNET = arg('--subnet', '10.213.210.0/24');
const compare = arg('--compare', undefined);
const noopRepeat = Number(arg('--noop-repeat', '1'));
const cpuProf = arg('--cpu-prof', undefined);
const IMAGE_1 = 'mfile-demo/busybox:1';
const IMAGE_2 = 'mfile-bench/fleet:2';

if (process.getuid() !== 0) {
  console.error('bench/fleet needs root (network namespaces)');
  process.exit(1);
}

// The second image differs from the first by a label, so the change replaces every container.
function ensureImages() {
  if (spawnSync('docker', ['image', 'inspect', IMAGE_1], { stdio: 'ignore' }).status !== 0) {
    const r = spawnSync('bash', [path.join(root, 'scripts/make-busybox-image.sh'), IMAGE_1], { stdio: 'inherit' });
    if (r.status !== 0) process.exit(1);
  }
  const r = spawnSync('docker', ['build', '-q', '-t', IMAGE_2, '-'], { input: `FROM ${IMAGE_1}\nLABEL mfile.bench=fleet-2\n`, encoding: 'utf8' });
  if (r.status !== 0) {
    console.error(`docker build of ${IMAGE_2} failed: ${r.stderr}`);
    process.exit(1);
  }
}

function machinesYml(project, k, image) {
  const machines = Array.from({ length: k }, (_, i) => `  f${i + 1}: { driver: sandbox, sandbox: { subnet: "${SUBNET}" } }`).join('\n');
  const names = Array.from({ length: k }, (_, i) => `f${i + 1}`).join(', ');
  const containers = Array.from({ length: perMachine }, (_, j) => `  c${j}:\n    image: ${image}\n    command: ["sleep", "3600"]\n    init: true\n    machines: [${names}]`).join('\n');
  return `version: 1\nproject: ${project}\nmachines:\n${machines}\ncontainers:\n${containers}\n`;
}

// Logins accepted by every machine's sshd so far (machines gone since count as they were last seen).
const seen = new Map();
function sshLogins(dir) {
  const base = path.join(dir, '.mfile/machines');
  if (existsSync(base)) {
    for (const m of readdirSync(base)) {
      const log = path.join(base, m, 'root/var-log/sshd.log');
      if (existsSync(log)) seen.set(`${dir}/${m}`, (readFileSync(log, 'utf8').match(/Accepted publickey/g) ?? []).length);
    }
  }
  let total = 0;
  for (const [key, n] of seen) if (key.startsWith(`${dir}/`)) total += n;
  return total;
}

// Runs mfile under a python wrapper that prints the child's peak RSS (ru_maxrss of RUSAGE_CHILDREN, KiB).
// Also its CPU time (user + system), the steadier figure on a shared box.
const RSS_WRAPPER = 'import resource,subprocess,sys\nr=subprocess.run(sys.argv[1:])\nu=resource.getrusage(resource.RUSAGE_CHILDREN)\nsys.stderr.write("\\nMAXRSS %d CPU %f\\n" % (u.ru_maxrss, u.ru_utime + u.ru_stime))\nsys.exit(r.returncode)';
function mfile(dir, args, okCodes = [0], { build = root, nodeArgs = [] } = {}) {
  const load = loadavg()[0];
  const before = sshLogins(dir);
  const t0 = process.hrtime.bigint();
  const r = spawnSync('python3', ['-c', RSS_WRAPPER, process.execPath, ...nodeArgs, path.join(build, 'bin/mfile.js'), ...args, '-f', 'machines.yml'], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, CI: '1' },
    timeout: 1_800_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  if (!okCodes.includes(r.status)) {
    console.error(`mfile ${args.join(' ')} failed (exit ${r.status}):\n${r.stdout.slice(-4000)}\n${r.stderr.slice(-4000)}`);
    throw new Error(`mfile ${args[0]} failed`);
  }
  const m = /MAXRSS (\d+) CPU ([\d.]+)/.exec(r.stderr);
  const rss = Number(m?.[1] ?? 0) / 1024;
  return { s, cpu: Number(m?.[2] ?? NaN), rss, logins: sshLogins(dir) - before, load, code: r.status };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
/** No-op plans with this build (and the --compare build, alternating): medians of wall and CPU, last RSS. */
function noopPlans(dir, k) {
  const runs = { this: [], other: [] };
  for (let i = 0; i < noopRepeat; i++) {
    if (compare) runs.other.push(mfile(dir, ['plan', '--detailed-exitcode'], [0, 2], { build: compare }));
    runs.this.push(mfile(dir, ['plan', '--detailed-exitcode'], [0, 2]));
  }
  if (cpuProf) mfile(dir, ['plan'], [0], { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${path.join(cpuProf, `k${k}`)}`] });
  const pick = (xs) => (xs.length ? { ...xs.at(-1), s: median(xs.map((x) => x.s)), cpu: median(xs.map((x) => x.cpu)), code: Math.max(...xs.map((x) => x.code)) } : undefined);
  return { noop: pick(runs.this), other: pick(runs.other) };
}

const fmt = (p) => `${p.s.toFixed(2).padStart(7)} s (${p.cpu.toFixed(2)} CPU) ${String(Math.round(p.rss)).padStart(4)} MB ${String(p.logins).padStart(3)} ssh  load ${p.load.toFixed(1)}`;

ensureImages();
const work = path.join(root, '.bench-work');
mkdirSync(work, { recursive: true, mode: 0o700 });
const rows = [];
console.log(`fleet bench: ${perMachine} containers per machine; each cell: wall, peak RSS of mfile, SSH logins, 1-min load before`);
console.log('K   fresh apply                            no-op plan (refresh)                    one-image change                       destroy');
for (const k of sizes) {
  const dir = mkdtempSync(path.join(work, `fleet${k}-`));
  const project = `fleet${k}p${process.pid}`;
  writeFileSync(path.join(dir, 'machines.yml'), machinesYml(project, k, IMAGE_1));
  try {
    const fresh = mfile(dir, ['apply', '-y']);
    const { noop, other } = noopPlans(dir, k);
    if (noop.code !== 0) throw new Error(`the plan after apply of ${k} machines is not empty`);
    if (other) console.log(`K=${k} no-op plan: this build ${noop.s.toFixed(2)} s wall, ${noop.cpu.toFixed(2)} s CPU, ${Math.round(noop.rss)} MB; --compare build ${other.s.toFixed(2)} s wall, ${other.cpu.toFixed(2)} s CPU, ${Math.round(other.rss)} MB (load ${noop.load.toFixed(1)} / ${other.load.toFixed(1)})`);
    writeFileSync(path.join(dir, 'machines.yml'), machinesYml(project, k, IMAGE_2));
    const change = mfile(dir, ['apply', '-y']);
    const destroy = mfile(dir, ['destroy', '-y']);
    rows.push({ k, fresh, noop, change, destroy });
    console.log(`${String(k).padEnd(3)} ${fmt(fresh)}   ${fmt(noop)}   ${fmt(change)}   ${fmt(destroy)}`);
  } catch (err) {
    mfile(dir, ['destroy', '-y'], [0, 1]);
    throw err;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
console.log('marginal cost of a fresh apply per added machine:');
for (let i = 1; i < rows.length; i++) {
  const a = rows[i - 1];
  const b = rows[i];
  console.log(`  ${a.k} -> ${b.k}: ${((b.fresh.s - a.fresh.s) / (b.k - a.k)).toFixed(2)} s/machine (change: ${((b.change.s - a.change.s) / (b.k - a.k)).toFixed(2)} s/machine)`);
}
const big = rows.at(-1);
const marginals = rows.slice(1).map((r, i) => (r.fresh.s - rows[i].fresh.s) / (r.k - rows[i].k));
console.log(
  `targets at K=${big.k}: no-op plan <= 3 s ${big.noop.s <= 3 ? 'met' : 'MISSED'} (${big.noop.s.toFixed(2)} s); ` +
    `RSS <= 200 MB ${Math.max(big.fresh.rss, big.noop.rss, big.change.rss) <= 200 ? 'met' : 'MISSED'} (${Math.round(Math.max(big.fresh.rss, big.noop.rss, big.change.rss))} MB); ` +
    `marginal cost not growing ${marginals.every((m, i) => i === 0 || m <= marginals[i - 1] * 1.25) ? 'met' : 'MISSED'}`,
);
rmSync(work, { recursive: true, force: true });
