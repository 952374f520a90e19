// VM bench: the qemu driver with the built CLI, as a user runs it. For N VMs at once (--counts 1,2): create →
// engine ready (`mfile apply` from nothing: boot, cloud-init, Docker install over SSH, mutual TLS), a no-op
// apply, stop then start (`mfile stop`, `mfile start` of every VM), then destroy (untimed). Each figure is printed
// with the accelerator the driver chose (KVM, or TCG where KVM guests do not run).
// Needs root, qemu, and the cloud-like test image with its apt repository of docker.io .debs: run
// test/e2e/qemu-vm.test.ts once (it builds and caches both under /var/cache/mfile-test), or pass
// --image PATH --repo DIR. Build first: npm run build. Options: --counts 1,2 --memory 1g
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const APT_PORT = 8216; // the port the test image's apt source names on 10.0.2.2

function findCached(pattern) {
  const base = '/var/cache/mfile-test';
  if (!existsSync(base)) return undefined;
  for (const v of readdirSync(base)) {
    const dir = path.join(base, v);
    try {
      for (const e of readdirSync(dir)) {
        const p = pattern(dir, e);
        if (p && existsSync(p)) return p;
      }
    } catch {
      /* not a folder */
    }
  }
  return undefined;
}

const image = arg('image', findCached((d, e) => (/^cloud-[0-9a-f]+$/.test(e) ? path.join(d, e, 'base.qcow2') : undefined)));
const repo = arg('repo', findCached((d, e) => (e === 'repo' ? path.join(d, e) : undefined)));
if (!image || !repo) {
  console.error('bench/vm: no cached test image or apt repository: run test/e2e/qemu-vm.test.ts once, or pass --image and --repo');
  process.exit(1);
}
const counts = arg('counts', '1,2').split(',').map(Number);
const memory = arg('memory', '1g');

const ENV = { ...process.env, CI: 'true', NO_COLOR: '1' };
/** The built CLI; stdout and stderr (progress lines go to stderr) together. Throws on a non-zero exit. */
const mfile = (args, cwd) => {
  const r = spawnSync(process.execPath, [path.join(root, 'bin/mfile.js'), ...args], { cwd, encoding: 'utf8', env: ENV });
  if (r.status !== 0) throw new Error(`mfile ${args.join(' ')} failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
  return { stdout: r.stdout, all: `${r.stdout}\n${r.stderr}` };
};
const time = (fn) => {
  const load = loadavg()[0];
  const t = performance.now();
  const out = fn();
  return { s: (performance.now() - t) / 1000, out, load };
};
/** Fails loudly unless every VM's engine answers the docker CLI over mutual TLS, as `eval "$(mfile env NAME)"` sets it. */
function engineReady(names, cwd, phase) {
  for (const name of names) {
    const vars = Object.fromEntries([...mfile(['env', name], cwd).stdout.matchAll(/^export (\w+)='?([^'\n]*)'?$/gm)].map((m) => [m[1], m[2]]));
    const r = spawnSync('docker', ['version', '--format', '{{.Server.Version}}'], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, ...vars } });
    if (r.status !== 0 || !r.stdout.trim()) throw new Error(`after ${phase}: ${name}'s engine (${vars.DOCKER_HOST}) does not answer: ${r.stderr.trim()}`);
  }
}

const httpd = spawn('busybox', ['httpd', '-f', '-p', `127.0.0.1:${APT_PORT}`, '-h', repo], { stdio: 'ignore' });
const work = path.join(root, '.bench-work');
mkdirSync(work, { recursive: true, mode: 0o700 });
const rows = [];
try {
  for (const n of counts) {
    const dir = mkdtempSync(path.join(work, `vm${n}-`));
    const names = Array.from({ length: n }, (_, i) => `vm${i + 1}`);
    const machines = names.map((m) => `  ${m}:\n    driver: qemu\n    qemu: { image: ${image}, cpus: 2, memory: ${memory}, disk_size: 4g }\n`).join('');
    writeFileSync(path.join(dir, 'machines.yml'), `version: 1\nproject: benchvm\nmachines:\n${machines}`);
    try {
      const create = time(() => mfile(['apply', '-y'], dir));
      engineReady(names, dir, 'create');
      const accels = [...create.out.all.matchAll(/: starting qemu \((kvm|tcg)/g)].map((m) => m[1]);
      if (accels.length !== n) throw new Error(`expected ${n} qemu starts in the apply's progress, saw ${accels.length}:\n${create.out.all}`);
      const accel = [...new Set(accels)].join('+');
      const noop = time(() => mfile(['apply', '-y'], dir));
      if (!noop.out.stdout.includes('No changes.')) throw new Error(`the second apply was not a no-op:\n${noop.out.all}`);
      const stop = time(() => mfile(['stop', ...names], dir));
      for (const name of names) {
        const st = mfile(['status', name], dir).stdout.trim();
        if (st !== 'Stopped') throw new Error(`after stop: ${name} is ${st}`);
      }
      const start = time(() => mfile(['start', ...names], dir));
      engineReady(names, dir, 'start');
      const cell = (t) => `${t.s.toFixed(1)} s (load ${t.load.toFixed(1)})`;
      rows.push({ vms: n, accel, 'create → engine ready': cell(create), 'no-op apply': cell(noop), stop: cell(stop), 'start → engine ready': cell(start) });
      console.log(JSON.stringify(rows.at(-1)));
    } finally {
      try {
        mfile(['destroy', '-y'], dir);
      } catch (e) {
        console.error(String(e));
      }
      rmSync(dir, { recursive: true, force: true });
    }
  }
} finally {
  httpd.kill();
}
console.table(rows);
console.log(`image ${image} (${(JSON.parse(spawnSync('qemu-img', ['info', '--output=json', image], { encoding: 'utf8' }).stdout)['actual-size'] / 2 ** 20).toFixed(0)} MiB), memory ${memory} per VM`);
