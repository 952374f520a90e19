// Hosts bench: create + provision K = 1, 4, 12 sandbox machines from nothing with mfile's machine step, beside a
// floor measured in the same run on the same kind of hosts: the same sandbox create, then a plain parallel
// shell script that makes the same TLS files with openssl, does one SSH login per host that copies daemon.json
// + TLS files and starts dockerd, and waits for `docker --tlsverify version`. A second floor copies TLS files
// made beforehand (untimed), for comparison. Also: SSH handshakes per machine, peak RSS, and a no-op re-provision of 12.
// Targets: ratio <= 1.1 against the copy-only floor, K=4 <= 4.8 s, 1 handshake per machine, no-op (12) < 2 s.
// Needs root. Build first: npm run build. Options: --sizes 1,4,12; --repeat N (each size N times, the floors and
// mfile taking turns, medians printed: one run at a time spreads by +-15 % on this box); --subnet CIDR (default
// 10.213.0.0/24); --before DIR also times another build's machine step (DIR/dist) in the same run; BENCH_TRACE=1
// prints each mfile progress line with its time since the run began.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const sizes = arg('--sizes', '1,4,12').split(',').map(Number);
const repeat = Number(arg('--repeat', '1'));
const subnet = arg('--subnet', '10.213.0.0/24');
const beforeDir = arg('--before', undefined);
const trace = process.env.BENCH_TRACE === '1';

/** The modules the bench drives, from this build's dist or another's. */
async function build(base) {
  const load = (p) => import(pathToFileURL(path.join(base, 'dist', p)).href);
  return {
    ...(await load('apply/steps/machine.js')),
    ...(await load('remote/ssh/pool.js')),
    ...(await load('remote/ssh/session.js')),
  };
}
const load = (p) => import(pathToFileURL(path.join(root, 'dist', p)).href);
const current = await build(root);
const before = beforeDir ? await build(path.resolve(beforeDir)) : undefined;
const { sandboxDriver } = await load('drivers/sandbox/index.js');
const { ensureServerCert, serverSans, clientCertPaths } = await load('remote/tls/store.js');
const { daemonJsonText } = await load('remote/provision/daemon-json.js');
const { sandboxTraits } = await load('drivers/sandbox/traits.js');
const { engineConfigHash } = await load('plan/hash.js');
const work = path.join(root, '.bench-work');
mkdirSync(work, { recursive: true, mode: 0o700 });

const spec = (name) => ({
  name,
  driver: 'sandbox',
  driverOptions: { subnet },
  engine: { install: 'never', port: 2376, transport: 'tcp', labels: {}, registryMirrors: [], insecureRegistries: [], logOpts: {}, daemon: {}, uninstall: false },
  tls: { enabled: true, san: [] },
  traits: sandboxTraits,
});

function harness(label, names, machineStep = current.machineStep) {
  const base = mkdtempSync(path.join(work, `${label}-`));
  const desired = {
    project: 'bench', configPath: path.join(base, 'machines.yml'), configDigest: '', variables: {}, sensitiveValues: [],
    machines: Object.fromEntries(names.map((n) => [n, spec(n)])), networks: {}, volumes: {}, secrets: {}, containers: {},
  };
  const state = { version: 1, mfile_version: '0.1.0', lineage: 'bench', serial: 0, machines: {}, objects: {} };
  const t0 = performance.now();
  const run = async (machine, action) => {
    const ctx = {
      // What the planner gives a machine node: the options and engine hash it settled, the prior host to remove.
      node: {
        address: `machine.${machine}`, kind: 'machine', machine, name: machine, action, reasons: [], before: null, dependsOn: [],
        after: action === 'delete' ? null : { engine: {} },
        driverOptions: desired.machines[machine].driverOptions,
        configHash: engineConfigHash(desired.machines[machine]),
        ...(action === 'delete' ? { priorHost: state.machines[machine] } : {}),
      },
      desired, state, conns: { spec: (m) => desired.machines[m] }, signal: new AbortController().signal, options: {},
      progress: trace ? (text) => console.log(`  ${((performance.now() - t0) / 1000).toFixed(2)} ${label} ${text}`) : () => {},
      checkpointMachine: async (r) => { state.machines[machine] = r; },
    };
    const out = await machineStep.run(ctx);
    if (out.machineRecord === null) delete state.machines[machine];
    else state.machines[machine] = out.machineRecord;
  };
  return { stateDir: path.join(base, '.mfile'), base, state, desired, run };
}

const time = async (fn) => { const t = performance.now(); await fn(); return (performance.now() - t) / 1000; };
const names = (p, k) => Array.from({ length: k }, (_, j) => `${p}${j + 1}`);

async function mfileRun(k, b = current, prefix = 'b') {
  const { machineStep, closeSshPool, handshakeCounts } = b;
  const ns = names(prefix, k);
  const h = harness(`mfile${k}`, ns, machineStep);
  handshakeCounts.clear();
  const wall = await time(() => Promise.all(ns.map((n) => h.run(n, 'create'))));
  const handshakes = Math.max(...ns.map((n) => handshakeCounts.get(n) ?? 0));
  let noop;
  if (k === Math.max(...sizes) && b === current) {
    await closeSshPool(); // a new run: new connections, as a second `mfile apply` would have
    noop = await time(() => Promise.all(ns.map((n) => h.run(n, 'update'))));
  }
  await Promise.all(ns.map((n) => h.run(n, 'delete')));
  await closeSshPool();
  rmSync(h.base, { recursive: true, force: true });
  return { wall, handshakes, noop };
}

// One host of the floor: one SSH login that unpacks the TLS files and daemon.json and starts dockerd, then the
// same TLS check mfile makes.
const FLOOR_HOST_SH = `
host() {
  ip=$1 key=$2 files=$3 ca=$4 cert=$5 ckey=$6
  tar -C "$files" -cf - . | ssh -q -i "$key" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes root@"$ip" \\
    'mkdir -p /etc/docker/mfile && tar -C /etc/docker/mfile -xf - && mv /etc/docker/mfile/daemon.json /etc/docker/daemon.json && (setsid dockerd </dev/null >>/var/log/dockerd.log 2>&1 &)'
  until docker --tlsverify --tlscacert "$ca" --tlscert "$cert" --tlskey "$ckey" -H tcp://"$ip":2376 version >/dev/null 2>&1; do sleep 0.1; done
}
`;

// The floor that makes its own TLS files, as mfile does: a CA and a client certificate (their keys made at
// once), then per host, in parallel, a server key and certificate for its IP, all ECDSA P-256 (mfile's keys) with
// openssl.
const FLOOR_TLS_SH = `
genkey() { openssl ecparam -name prime256v1 -genkey -noout -out "$1" 2>/dev/null; }
sign() { # csr-from-key out ext
  openssl req -new -key "$1" -subj /CN=mfile-floor | openssl x509 -req -CA "$certs/ca.pem" -CAkey "$certs/ca-key.pem" \\
    -set_serial "0x$(openssl rand -hex 8)" -days 365 -extfile <(printf '%s\\n' "$3") -out "$2" 2>/dev/null
}
read -r certs
genkey "$certs/ca-key.pem" & genkey "$certs/key.pem" & wait
openssl req -x509 -new -key "$certs/ca-key.pem" -subj /CN=mfile-floor-ca -days 3650 -out "$certs/ca.pem"
sign "$certs/key.pem" "$certs/cert.pem" 'extendedKeyUsage=clientAuth'
tls_host() {
  ip=$1 files=$3
  genkey "$files/server-key.pem"
  sign "$files/server-key.pem" "$files/server.pem" "subjectAltName=IP:$ip,DNS:localhost,IP:127.0.0.1
extendedKeyUsage=serverAuth"
  cp "$certs/ca.pem" "$files/ca.pem"
  host "$@"
}
`;

const FLOOR_COPY_SH = `set -e${FLOOR_HOST_SH}
while read -r ip key files ca cert ckey; do host "$ip" "$key" "$files" "$ca" "$cert" "$ckey" & done
wait
`;

const FLOOR_GENERATE_SH = `set -e${FLOOR_HOST_SH}${FLOOR_TLS_SH}
while read -r ip key files ca cert ckey; do tls_host "$ip" "$key" "$files" "$ca" "$cert" "$ckey" & done
wait
`;

/**
 * The floor for K hosts. generateTls: the script makes the CA, client and server keys and certificates itself
 * (the same TLS files mfile makes); otherwise they are made beforehand, untimed, and only copied.
 */
async function floorRun(k, generateTls) {
  const ns = names(generateTls ? 'g' : 'f', k);
  const h = harness(`floor${k}`, ns);
  const driver = sandboxDriver();
  const ctx = { stateDir: h.stateDir, project: 'bench' };
  const data = {};
  const createT = await time(() => Promise.all(ns.map(async (n) => { data[n] = (await driver.create({ machine: h.desired.machines[n], driverData: {}, ctx })).driverData; })));
  const certs = path.join(h.stateDir, 'floor-certs');
  mkdirSync(certs, { recursive: true, mode: 0o700 });
  const lines = generateTls ? [certs] : [];
  for (const n of ns) {
    const files = path.join(h.stateDir, 'floor', n);
    mkdirSync(files, { recursive: true });
    writeFileSync(path.join(files, 'daemon.json'), daemonJsonText(h.desired.machines[n]));
    const key = path.join(h.stateDir, 'machines', n, 'id_ed25519');
    if (generateTls) {
      lines.push([data[n].ip, key, files, `${certs}/ca.pem`, `${certs}/cert.pem`, `${certs}/key.pem`].join(' '));
      continue;
    }
    const c = await ensureServerCert(h.stateDir, n, serverSans(n, [data[n].ip], []));
    writeFileSync(path.join(files, 'ca.pem'), c.ca);
    writeFileSync(path.join(files, 'server.pem'), c.cert);
    writeFileSync(path.join(files, 'server-key.pem'), c.key, { mode: 0o600 });
    const cc = clientCertPaths(h.stateDir);
    lines.push([data[n].ip, key, files, cc.ca, cc.cert, cc.key].join(' '));
  }
  const shellT = await time(
    () => new Promise((resolve, reject) => {
      const script = generateTls ? FLOOR_GENERATE_SH : FLOOR_COPY_SH;
      const p = spawn('bash', ['-c', script], { stdio: ['pipe', 'inherit', 'inherit'], env: { ...process.env, DOCKER_CONFIG: path.join(h.base, 'docker-cli') } });
      p.stdin.end(lines.join('\n') + '\n');
      p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`floor script exit ${code}`))));
    }),
  );
  await Promise.all(ns.map((n) => driver.remove({ machine: h.desired.machines[n], driverData: data[n], ctx })));
  rmSync(h.base, { recursive: true, force: true });
  return { wall: createT + shellT, createT, shellT };
}

if (process.getuid() !== 0) {
  console.error('bench/hosts needs root (network namespaces)');
  process.exit(1);
}
const load1 = () => os.loadavg().map((x) => x.toFixed(1)).join(' ');
console.log(`load average at start: ${load1()} on ${os.cpus().length} cores${repeat > 1 ? `; medians of ${repeat} runs per size` : ''}`);
console.log('K   mfile(s)  floor(s) [create + shell]  ratio  | floor copying pre-made TLS files (s)  ratio  | handshakes/machine');
const rows = [];
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const medianOf = (runs, key) => median(runs.map((r) => r[key]));
for (const k of sizes) {
  const fs = [], fcs = [], mbs = [], ms = [];
  for (let i = 0; i < repeat; i++) {
    fs.push(await floorRun(k, true));
    fcs.push(await floorRun(k, false));
    if (before) mbs.push(await mfileRun(k, before, 'o'));
    ms.push(await mfileRun(k));
  }
  const f = { wall: medianOf(fs, 'wall'), createT: medianOf(fs, 'createT'), shellT: medianOf(fs, 'shellT') };
  const fc = { wall: medianOf(fcs, 'wall'), createT: medianOf(fcs, 'createT'), shellT: medianOf(fcs, 'shellT') };
  if (before) {
    const mb = { wall: medianOf(mbs, 'wall'), handshakes: Math.max(...mbs.map((r) => r.handshakes)) };
    console.log(
      `${String(k).padEnd(3)} ${mb.wall.toFixed(2).padStart(8)}  (before)`.padEnd(42) +
        `${(mb.wall / f.wall).toFixed(2).padStart(5)}  |`.padEnd(48) +
        `${(mb.wall / fc.wall).toFixed(2).padStart(5)}  | ${mb.handshakes}`,
    );
  }
  const m = { wall: medianOf(ms, 'wall'), handshakes: Math.max(...ms.map((r) => r.handshakes)), noop: ms.find((r) => r.noop !== undefined)?.noop };
  rows.push({ k, ...m, floor: f.wall, floorCopy: fc.wall });
  console.log(
    `${String(k).padEnd(3)} ${m.wall.toFixed(2).padStart(8)}  ${f.wall.toFixed(2).padStart(8)} [${f.createT.toFixed(2)} + ${f.shellT.toFixed(2)}]`.padEnd(42) +
      `${(m.wall / f.wall).toFixed(2).padStart(5)}  | ${fc.wall.toFixed(2).padStart(8)} [${fc.createT.toFixed(2)} + ${fc.shellT.toFixed(2)}]`.padEnd(40) +
      `${(m.wall / fc.wall).toFixed(2).padStart(5)}  | ${m.handshakes}`,
  );
  if (repeat > 1) {
    const list = (runs) => runs.map((r) => r.wall.toFixed(2)).join(' ');
    console.log(`    each run (s): mfile ${list(ms)} | floor ${list(fs)} | copy-only floor ${list(fcs)}${before ? ` | before ${list(mbs)}` : ''}`);
  }
}
const big = rows.at(-1);
console.log(`no-op re-provision of ${big.k} (fresh SSH connections, nothing changes): ${big.noop.toFixed(2)} s`);
console.log(`load average at the end: ${load1()}`);
console.log(`peak RSS of this process: ${Math.round(process.resourceUsage().maxRSS / 1024)} MB`);
const k4 = rows.find((r) => r.k === 4);
console.log(
  `targets: ratio<=1.1 against the copy-only floor ${rows.every((r) => r.wall / r.floorCopy <= 1.1) ? 'met' : 'MISSED'}` +
    ` (against the floor that makes its own TLS files ${rows.every((r) => r.wall / r.floor <= 1.1) ? 'met' : 'MISSED'}); ` +
    (k4 ? `K=4<=4.8s ${k4.wall <= 4.8 ? 'met' : 'MISSED'}; ` : '') +
    `handshakes=1 ${rows.every((r) => r.handshakes === 1) ? 'met' : 'MISSED'}; no-op<2s ${big.noop < 2 ? 'met' : 'MISSED'}`,
);
rmSync(work, { recursive: true, force: true });
