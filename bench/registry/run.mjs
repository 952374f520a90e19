// Registry bench: one built image to 6 sandbox machines, two ways, in one run, figures side by side:
//   copy:     `docker build` on the local engine, then `mfile apply` copies it to each machine (save | load);
//   registry: `mfile apply` with build.push builds it on the first machine, pushes it once to a registry
//             (distribution 2.8.2, TLS + htpasswd, on the sandbox bridge) and the 5 others pull it.
// Both start from machines that exist and lack the image; the image is busybox plus 24 MiB of random bytes.
// Needs root, docker-registry, apache2-utils, openssl. Build first: npm run build (npm run bench:registry does).
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const PREFIX = '10.213.248';
const IP = `${PREFIX}.1`;
const BRIDGE = `mfbr${PREFIX.split('.').map((x) => Number(x).toString(16).padStart(2, '0')).join('')}`;
const ADDR = `${IP}:5443`;
const N = 6;
const MACHINES = Array.from({ length: N }, (_, i) => `b${i + 1}`);
const PASSWORD = randomBytes(12).toString('hex');

const base = path.join(root, '.bench-work');
mkdirSync(base, { recursive: true, mode: 0o700 });
const work = mkdtempSync(path.join(base, 'registry-'));
const dir = path.join(work, 'project');
mkdirSync(dir);
const sh = (cmd, args, opts = {}) => execFileSync(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], encoding: 'utf8', ...opts });

function mfile(args, { stdoutOnly = false } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(root, 'bin/mfile.js'), args[0], '-f', 'machines.yml', ...args.slice(1)], {
      cwd: dir, env: { ...process.env, CI: 'true', NO_COLOR: '1', MFILE_VAR_regpw: PASSWORD }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => { if (!stdoutOnly) out += d; });
    child.once('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`mfile ${args.join(' ')} exited ${code}:\n${out}`))));
  });
}

function config(containers) {
  return ['version: 1', 'project: regbench', 'variables:', '  regpw: { sensitive: true }', 'machines:',
    ...MACHINES.map((m) => `  ${m}: { driver: sandbox, sandbox: { subnet: ${PREFIX}.0/24 } }`),
    'registries:', `  bench: { address: "${ADDR}", ca_file: ca/ca.crt, username: bench, password: "\${regpw}" }`,
    ...(containers.length ? ['containers:', ...containers] : []), ''].join('\n');
}
const container = (name, image, extra = []) => [`  ${name}:`, `    machines: [${MACHINES.join(', ')}]`, `    image: ${image}`, ...extra, '    network_mode: none', '    stop_grace_period: 1s'];

// Test CA, server certificate, htpasswd, registry on the bridge address.
mkdirSync(path.join(dir, 'ca'));
const f = (n) => path.join(dir, 'ca', n);
sh('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=mfile bench CA', '-keyout', f('ca.key'), '-out', f('ca.crt')]);
sh('openssl', ['req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${IP}`, '-keyout', f('server.key'), '-out', f('server.csr')]);
writeFileSync(f('ext.cnf'), `subjectAltName=IP:${IP}\n`);
sh('openssl', ['x509', '-req', '-in', f('server.csr'), '-CA', f('ca.crt'), '-CAkey', f('ca.key'), '-CAcreateserial', '-days', '1', '-extfile', f('ext.cnf'), '-out', f('server.crt')]);
writeFileSync(path.join(work, 'htpasswd'), sh('htpasswd', ['-niB', 'bench'], { input: `${PASSWORD}\n` }));
writeFileSync(path.join(work, 'registry.yml'), [
  'version: 0.1', 'log: { level: warn }', `storage: { filesystem: { rootdirectory: ${path.join(work, 'data')} } }`,
  `http: { addr: "${ADDR}", secret: ${randomBytes(8).toString('hex')}, tls: { certificate: ${f('server.crt')}, key: ${f('server.key')} } }`,
  `auth: { htpasswd: { realm: bench, path: ${path.join(work, 'htpasswd')} } }`, ''].join('\n'));
if (!existsSync(`/sys/class/net/${BRIDGE}`)) sh('ip', ['link', 'add', BRIDGE, 'type', 'bridge']);
sh('ip', ['addr', 'replace', `${IP}/24`, 'dev', BRIDGE]);
sh('ip', ['link', 'set', BRIDGE, 'up']);
const registry = spawn('docker-registry', ['serve', path.join(work, 'registry.yml')], { stdio: 'ignore' });

// The build context: busybox and 24 MiB of random bytes (so the image is not all cache).
const ctx = path.join(dir, 'app');
mkdirSync(ctx);
copyFileSync('/bin/busybox', path.join(ctx, 'busybox'));
writeFileSync(path.join(ctx, 'blob'), randomBytes(24 * 1024 * 1024));
writeFileSync(path.join(ctx, 'Dockerfile'), 'FROM scratch\nCOPY busybox /bin/busybox\nCOPY blob /blob\nCMD ["/bin/busybox", "sleep", "3600"]\n');
const LOCAL = `mfile-bench/app:${process.pid}`;
const REMOTE = `${ADDR}/mfile-bench/app:${process.pid}`;

const time = async (fn) => { const load = loadavg()[0]; const t = performance.now(); await fn(); return { s: (performance.now() - t) / 1000, load }; };
/** Fails loudly unless the container runs on all N machines from `image` (as `mfile ps` reads it from each engine). */
async function runsEverywhere(name, image) {
  const rows = JSON.parse(await mfile(['ps', '--json', name], { stdoutOnly: true }));
  const good = rows.filter((r) => r.image === image && r.state === 'running').map((r) => r.machine).sort();
  if (good.join() !== [...MACHINES].sort().join()) throw new Error(`${name} does not run ${image} on every machine:\n${JSON.stringify(rows, null, 2)}`);
}
const rows = [];
try {
  writeFileSync(path.join(dir, 'machines.yml'), config([]));
  await mfile(['apply', '-y']); // the machines, with the registry's CA; untimed
  const copy = await time(async () => {
    sh('docker', ['build', '-q', '-t', LOCAL, ctx], { env: { ...process.env, DOCKER_BUILDKIT: '0' } });
    writeFileSync(path.join(dir, 'machines.yml'), config(container('copied', LOCAL)));
    await mfile(['apply', '-y']);
  });
  await runsEverywhere('copied', LOCAL);
  rows.push(['copy (local build, save | load to each)', copy]);
  const reg = await time(async () => {
    writeFileSync(path.join(dir, 'machines.yml'), config([...container('copied', LOCAL), ...container('pushed', REMOTE, ['    build: { context: ./app, push: bench }'])]));
    await mfile(['apply', '-y']); // adds `pushed` only: `copied` stays as it was
  });
  await runsEverywhere('pushed', REMOTE);
  rows.push(['registry (build on b1, push once, 5 pull)', reg]);
} finally {
  try { await mfile(['destroy', '-y']); } catch (e) { console.error(String(e)); }
  registry.kill('SIGTERM');
  try { sh('docker', ['rmi', '-f', LOCAL]); } catch {}
  if (existsSync(`/sys/class/net/${BRIDGE}`) && readdirSync(`/sys/class/net/${BRIDGE}/brif`).length === 0) sh('ip', ['link', 'del', BRIDGE]);
  rmSync(work, { recursive: true, force: true });
}
console.log(`one built image (~26 MiB) to ${N} sandbox machines`);
for (const [what, t] of rows) console.log(`${what.padEnd(44)} ${t.s.toFixed(1).padStart(6)} s   (load before ${t.load.toFixed(1)})`);
