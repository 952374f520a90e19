#!/usr/bin/env node
// Bench: one engine, 100 containers. mfile fresh apply and no-op apply, side by side with `docker-compose up -d`
// for the same 100 containers in the same run. Needs the built CLI (npm run build) and the local dockerd.
// Targets: fresh apply at mfile's default flags <= 0.75x docker-compose's time; no-op apply <= 0.4x compose's
// no-op `up -d`. Options: --before DIR times another build (DIR/bin/mfile.js, e.g. a copy of the previous dist)
// in the same run, for a before/after table; any other argument is passed to mfile apply.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const N = Number(process.env.BENCH_CONTAINERS ?? 100);
const IMAGE = 'mfile-test/busybox:1';
const argv = process.argv.slice(2);
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
try {
  // The earlier build first (fresh, no-op, destroy), then this one, then compose: every ratio is from this run.
  let before;
  if (beforeDir) {
    const old = mfileAt(beforeDir);
    before = { fresh: old(['apply', '-y', ...extraArgs]).s, noop: old(['apply', '-y', ...extraArgs]).s };
    mfile(['destroy', '-y']); // this build's destroy: the earlier one may trip over a busy engine's endpoints
  }
  const mFresh = mfile(['apply', '-y', ...extraArgs]);
  const mNoop = mfile(['apply', '-y', ...extraArgs]);
  if (!mNoop.out.includes('No changes.')) throw new Error('second mfile apply was not a no-op');
  // The same fresh apply with a wider per-machine cap, since docker-compose runs up to 64 operations at once.
  mfile(['destroy', '-y']);
  const wide = ['--per-machine', '32', '--parallelism', '64'];
  const mWide = mfile(['apply', '-y', ...wide]);
  const cFresh = compose(['up', '-d']);
  const cNoop = compose(['up', '-d']);
  const row = (what, m, c) => `${what.padEnd(58)} ${m.toFixed(2).padStart(7)} s ${c.toFixed(2).padStart(9)} s   ${(m / c).toFixed(2)}x`;
  const flags = extraArgs.length ? extraArgs.join(' ') : 'default flags';
  console.log(`${N} containers, one engine`.padEnd(59) + '   mfile  docker-compose  mfile/compose');
  if (before) {
    console.log(row(`before: fresh apply (${flags})`, before.fresh, cFresh.s));
    console.log(row('before: no-op apply / up -d', before.noop, cNoop.s));
  }
  console.log(row(`fresh apply (${flags})`, mFresh.s, cFresh.s));
  console.log(row(`fresh apply (${wide.join(' ')})`, mWide.s, cFresh.s));
  console.log(row('no-op apply / up -d', mNoop.s, cNoop.s));
  const met = (ok) => (ok ? 'met' : 'MISSED');
  console.log(`targets: fresh ratio <= 0.75 with ${flags} ${met(mFresh.s <= 0.75 * cFresh.s)}; no-op ratio <= 0.4 ${met(mNoop.s <= 0.4 * cNoop.s)}`);
  console.log(`load average: ${loadAtStart} at start, ${(await import('node:os')).loadavg().map((x) => x.toFixed(1)).join(' ')} on ${(await import('node:os')).cpus().length} cores`);
} finally {
  spawnSync('docker-compose', ['-p', cproj, '-f', path.join(dir, 'docker-compose.yml'), 'down', '-t', '0'], { env: composeEnv, stdio: 'ignore' });
  cleanup(mproj);
  rmSync(dir, { recursive: true, force: true });
}
