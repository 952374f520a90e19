#!/usr/bin/env node
// Bench: a 3-replica service's image update on a swarm of three sandbox machines (1 manager, 2 workers), from
// the start of the command until every task runs the new image (already on every node for both): `mfile apply` beside `docker stack deploy
// --detach=false` of the same service block against the same swarm, in one run. Needs root, the sandbox
// prerequisites, the built CLI and the test images (mfile-test/busybox:1 and :2; test/helpers/image.ts builds
// them). Run it under the heavy-test lock: flock /tmp/mfile-heavy.lock node bench/swarm/run.mjs
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SUBNET = '10.213.240.0/24';
const IMAGES = ['mfile-test/busybox:1', 'mfile-test/busybox:2'];

for (const ref of IMAGES) {
  if (spawnSync('docker', ['image', 'inspect', ref], { stdio: 'ignore' }).status !== 0) {
    console.error(`missing ${ref}: run the test suite once (test/helpers/image.ts builds it)`);
    process.exit(1);
  }
}

/** The service block both tools read: Compose keys plus deploy. */
const service = (name, image, port) => `  ${name}:
    image: ${image}
    command: ["httpd", "-f", "-p", "80", "-h", "/www"]
    ports: [{ target: 80, published: ${port}, mode: host }]
    healthcheck: { test: ["CMD-SHELL", "echo | nc -w 1 127.0.0.1 80"], interval: 500ms, timeout: 2s, retries: 3 }
    stop_grace_period: 1s
    deploy:
      replicas: 3
      endpoint_mode: dnsrr
      placement: { max_replicas_per_node: 1 }
      update_config: { parallelism: 1, failure_action: rollback, order: stop-first }
`;

const machinesYml = (image) => `version: 1
project: swbench
swarm: { default_addr_pool: [10.213.244.0/22] }
machines:
  m1: { driver: sandbox, sandbox: { subnet: ${SUBNET} }, swarm: { role: manager } }
  w1: { driver: sandbox, sandbox: { subnet: ${SUBNET} }, swarm: { role: worker } }
  w2: { driver: sandbox, sandbox: { subnet: ${SUBNET} }, swarm: { role: worker } }
services:
${service('web', image, 8080)}  warm:                       # no tasks: it only has mfile put the new image on every node before the timing
    image: ${IMAGES[1]}
    command: ["sleep", "1"]
    deploy: { replicas: 0 }
`;
const stackYml = (image) => `version: "3.8"\nservices:\n${service('web', image, 8081)}`;

const base = path.join(root, '.test-work');
mkdirSync(base, { recursive: true, mode: 0o700 });
const dir = mkdtempSync(path.join(base, 'bench-swarm-'));
const env = { ...process.env, CI: '1', DOCKER_CONFIG: path.join(dir, '.docker') };
delete env.REQUESTS_CA_BUNDLE;
delete env.CURL_CA_BUNDLE;

function run(label, cmd, args, extraEnv = {}) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { cwd: dir, encoding: 'utf8', timeout: 900_000, env: { ...env, ...extraEnv } });
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`${label} failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
  return { s, out: `${r.stdout}\n${r.stderr}` }; // mfile's progress lines go to stderr
}
const mfile = (args) => run(`mfile ${args[0]}`, process.execPath, [path.join(root, 'bin/mfile.js'), ...args, '-f', 'machines.yml']);

let managerEnv;
function docker(label, args) {
  return run(label, 'docker', args, managerEnv);
}

/** Fails loudly unless the service's 3 running tasks, one per node, all run `image` (asked of the manager). */
function runsImage(service, image) {
  const lines = docker(`service ps ${service}`, ['service', 'ps', service, '--filter', 'desired-state=running', '--no-trunc', '--format', '{{.Image}}|{{.CurrentState}}|{{.Node}}'])
    .out.trim().split('\n').filter(Boolean).map((l) => l.split('|'));
  const ok = lines.length === 3 && new Set(lines.map((l) => l[2])).size === 3 && lines.every(([img, state]) => img.split('@')[0] === image && state.startsWith('Running'));
  if (!ok) throw new Error(`${service} did not converge on ${image}:\n${lines.map((l) => l.join('  ')).join('\n')}`);
}

try {
  writeFileSync(path.join(dir, 'machines.yml'), machinesYml(IMAGES[0]));
  mfile(['apply', '-y']);
  // The manager's engine for the docker CLI, as `eval "$(mfile env m1)"` gives it.
  const envOut = mfile(['env', 'm1']).out;
  managerEnv = Object.fromEntries([...envOut.matchAll(/export (\w+)=['"]?([^'"\n]*)['"]?/g)].map((m) => [m[1], m[2]]));
  writeFileSync(path.join(dir, 'stack.yml'), stackYml(IMAGES[0]));
  docker('stack deploy', ['stack', 'deploy', '--detach=false', '--resolve-image', 'never', '-c', 'stack.yml', 'stk']);
  runsImage('swbench_web', IMAGES[0]);
  runsImage('stk_web', IMAGES[0]);

  writeFileSync(path.join(dir, 'machines.yml'), machinesYml(IMAGES[1]));
  const loadM = loadavg()[0];
  const m = mfile(['apply', '-y']);
  if (!m.out.includes('web 3/3 running')) throw new Error(`mfile apply did not report convergence:\n${m.out}`);
  writeFileSync(path.join(dir, 'stack.yml'), stackYml(IMAGES[1]));
  runsImage('swbench_web', IMAGES[1]);
  const loadD = loadavg()[0];
  const d = docker('stack deploy (update)', ['stack', 'deploy', '--detach=false', '--resolve-image', 'never', '-c', 'stack.yml', 'stk']);

  runsImage('stk_web', IMAGES[1]);

  console.log('3-replica image update, parallelism 1, stop-first, 3 sandbox machines     seconds');
  console.log(`mfile apply (update, then wait until every task runs the new image)       ${m.s.toFixed(2).padStart(7)}   (load before ${loadM.toFixed(1)})`);
  console.log(`docker stack deploy --detach=false of the same service block             ${d.s.toFixed(2).padStart(7)}   (load before ${loadD.toFixed(1)})`);
  console.log(`ratio mfile/stack: ${(m.s / d.s).toFixed(2)}x; load average now ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
} finally {
  if (managerEnv) spawnSync('docker', ['stack', 'rm', 'stk'], { env: { ...env, ...managerEnv }, stdio: 'ignore' });
  spawnSync(process.execPath, [path.join(root, 'bin/mfile.js'), 'destroy', '-y', '-f', 'machines.yml'], { cwd: dir, env, stdio: 'ignore', timeout: 900_000 });
  rmSync(dir, { recursive: true, force: true });
}
