#!/usr/bin/env node
// Bench: one engine, 100 containers. mfile fresh apply and no-op apply, side by side with `docker-compose up -d`
// for the same 100 containers in the same run. Needs the built CLI (npm run build) and the local dockerd.
// Targets: fresh apply at mfile's default flags <= 0.75x docker-compose's time; no-op apply <= 0.4x compose's
// no-op `up -d`. Options: --repeat N (N rounds, medians; each round starts with the next contender, so an
// engine that drifts over the run favours none); --before DIR times another build (DIR/bin/mfile.js, e.g. a copy
// of the previous dist) in the same run, for a before/after table; any other argument is passed to mfile apply.
// The engine floor (engine-floor.mjs) makes the same containers straight through the Engine API, 16 at once: no
// client can beat it on this engine.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { engineFloor } from './engine-floor.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const N = Number(process.env.BENCH_CONTAINERS ?? 100);
const IMAGE = 'mfile-test/busybox:1';
const argv = process.argv.slice(2);
const ri = argv.indexOf('--repeat');
const repeat = ri >= 0 ? Number(argv[ri + 1]) : 1;
if (ri >= 0) argv.splice(ri, 2);
const bi = argv.indexOf('--before');
const beforeDir = bi >= 0 ? path.resolve(argv[bi + 1]) : undefined;
const extraArgs = bi >= 0 ? [...argv.slice(0, bi), ...argv.slice(bi + 2)] : argv; // e.g. --per-machine 8

function ensureImage() {
  if (spawnSync('docker', ['image', 'inspect', IMAGE], { stdio: 'ignore' }).status === 0) return;
  console.error(`missing ${IMAGE}: run the test suite once (test/helpers/image.ts builds it)`);
  process.exit(1);
}

function timed(label, cmd, args, opts = {}) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 600_000, ...opts });
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) {
    console.error(`${label} failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
    process.exit(1);
  }
  return { s, out: r.stdout };
}

function cleanup(project) {
  const ids = execFileSync('docker', ['ps', '-aq', '--filter', `label=io.mfile.project=${project}`], { encoding: 'utf8' }).split('\n').filter(Boolean);
  if (ids.length) spawnSync('docker', ['rm', '-f', ...ids], { stdio: 'ignore' });
  const nets = execFileSync('docker', ['network', 'ls', '-q', '--filter', `label=io.mfile.project=${project}`], { encoding: 'utf8' }).split('\n').filter(Boolean);
  if (nets.length) spawnSync('docker', ['network', 'rm', ...nets], { stdio: 'ignore' });
}

ensureImage();
const dir = mkdtempSync(path.join(tmpdir(), 'mfile-bench-'));
const names = Array.from({ length: N }, (_, i) => `c${String(i).padStart(3, '0')}`);
const mproj = `mfbench${process.pid}`;
const cproj = `cbench${process.pid}`;
const fproj = `fbench${process.pid}`;
const svc = (n) => `  ${n}:\n    image: ${IMAGE}\n    command: ["sleep", "3600"]\n    init: true\n    networks: [default]\n`;
writeFileSync(path.join(dir, 'machines.yml'), `version: 1\nproject: ${mproj}\nmachines:\n  m1: { driver: local }\nnetworks:\n  default: {}\ncontainers:\n${names.map((n) => svc(n).replace('  ' + n + ':\n', `  ${n}:\n    machine: m1\n`)).join('')}`);
writeFileSync(path.join(dir, 'docker-compose.yml'), `version: "3.8"\nservices:\n${names.map(svc).join('')}`);

const composeEnv = { ...process.env };
delete composeEnv.REQUESTS_CA_BUNDLE; // they make docker-compose ignore the engine's own TLS settings (testbed.md)
delete composeEnv.CURL_CA_BUNDLE;
// docker-compose 1.29 deadlocked here (all threads in futex wait, after creating every container) with 100
// services and its default COMPOSE_PARALLEL_LIMIT of 64; a limit above the service count avoids it.
composeEnv.COMPOSE_PARALLEL_LIMIT ??= String(Math.max(64, N * 2));
const mfileAt = (base) => (args) => timed(`mfile ${args[0]}`, process.execPath, [path.join(base, 'bin/mfile.js'), ...args, '-f', path.join(dir, 'machines.yml')], { env: { ...process.env, CI: '1' } });
const mfile = mfileAt(root);
const compose = (args) => timed(`docker-compose ${args[0]}`, 'docker-compose', ['-p', cproj, '-f', path.join(dir, 'docker-compose.yml'), ...args], { env: composeEnv });

const loadAtStart = (await import('node:os')).loadavg().map((x) => x.toFixed(1)).join(' ');
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const wide = ['--per-machine', '32', '--parallelism', '64'];
const composeDown = () => spawnSync('docker-compose', ['-p', cproj, '-f', path.join(dir, 'docker-compose.yml'), 'down', '-t', '0'], { env: composeEnv, stdio: 'ignore' });
// Each contender makes the 100 containers on an engine holding none of the others' and removes them after.
const contenders = {
  before: beforeDir && (() => {
    const old = mfileAt(beforeDir);
    const r = { fresh: old(['apply', '-y', ...extraArgs]).s, noop: old(['apply', '-y', ...extraArgs]).s };
    mfile(['destroy', '-y']); // this build's destroy: the earlier one may trip over a busy engine's endpoints
    return r;
  }),
  mfile: () => {
    const fresh = mfile(['apply', '-y', ...extraArgs]).s;
    const noop = mfile(['apply', '-y', ...extraArgs]);
    if (!noop.out.includes('No changes.')) throw new Error('second mfile apply was not a no-op');
    mfile(['destroy', '-y']);
    return { fresh, noop: noop.s };
  },
  // The same fresh apply with a wider per-machine cap, since docker-compose runs up to 64 operations at once.
  wide: () => {
    const fresh = mfile(['apply', '-y', ...wide]).s;
    mfile(['destroy', '-y']);
    return { fresh };
  },
  compose: () => {
    const r = { fresh: compose(['up', '-d']).s, noop: compose(['up', '-d']).s };
    composeDown();
    return r;
  },
  floor: async () => {
    const fresh = await engineFloor({ project: fproj, names, image: IMAGE, width: 16 });
    cleanup(fproj);
    return { fresh };
  },
};
const order = Object.keys(contenders).filter((k) => contenders[k]);
const runs = Object.fromEntries(order.map((k) => [k, []]));
try {
  // Round i starts with the i-th contender (a rotation), so that an engine slowing down or speeding up over the
  // run does not always favour the same one; every ratio is from this run.
  for (let i = 0; i < repeat; i++) {
    for (let j = 0; j < order.length; j++) {
      const k = order[(i + j) % order.length];
      runs[k].push(await contenders[k]());
    }
  }
  const med = (k, f) => median(runs[k].map((r) => r[f]));
  const cFresh = med('compose', 'fresh');
  const cNoop = med('compose', 'noop');
  const row = (what, m, c) => `${what.padEnd(58)} ${m.toFixed(2).padStart(7)} s ${c.toFixed(2).padStart(9)} s   ${(m / c).toFixed(2)}x`;
  const flags = extraArgs.length ? extraArgs.join(' ') : 'default flags';
  console.log(`${N} containers, one engine${repeat > 1 ? `, medians of ${repeat}` : ''}`.padEnd(59) + '   mfile  docker-compose  mfile/compose');
  if (beforeDir) {
    console.log(row(`before: fresh apply (${flags})`, med('before', 'fresh'), cFresh));
    console.log(row('before: no-op apply / up -d', med('before', 'noop'), cNoop));
  }
  console.log(row(`fresh apply (${flags})`, med('mfile', 'fresh'), cFresh));
  console.log(row(`fresh apply (${wide.join(' ')})`, med('wide', 'fresh'), cFresh));
  console.log(row('no-op apply / up -d', med('mfile', 'noop'), cNoop));
  console.log(row('engine floor: Engine API create + start, 16 at once', med('floor', 'fresh'), cFresh));
  if (repeat > 1) {
    for (const k of order) console.log(`  ${k.padEnd(8)} fresh, each run (s): ${runs[k].map((r) => r.fresh.toFixed(2)).join(' ')}`);
  }
  const met = (ok) => (ok ? 'met' : 'MISSED');
  console.log(`targets: fresh ratio <= 0.75 with ${flags} ${met(med('mfile', 'fresh') <= 0.75 * cFresh)}; no-op ratio <= 0.4 ${met(med('mfile', 'noop') <= 0.4 * cNoop)}`);
  console.log(`load average: ${loadAtStart} at start, ${(await import('node:os')).loadavg().map((x) => x.toFixed(1)).join(' ')} on ${(await import('node:os')).cpus().length} cores`);
} finally {
  composeDown();
  cleanup(mproj);
  cleanup(fproj);
  rmSync(dir, { recursive: true, force: true });
}
