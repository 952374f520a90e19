// Registries, end to end: a real registry (distribution 2.8.2) on the sandbox bridge with TLS from a test CA and
// htpasswd auth; three sandbox machines. mfile puts the CA on each machine, builds a `build.push` image once and
// the other machines pull it, pulls a pushed image on all three, sees a tag moved by a push from outside and
// replaces the containers, and names the registry, image and machine in each failure. No credential reaches any
// output or file. Needs root, docker.io, openssh-server, iproute2, iptables, docker-registry, apache2-utils, openssl.
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeNeeding, SANDBOX, type Prerequisite } from '../helpers/prerequisites.js';
import { ensureBuilt, MFILE_BIN, REPO_ROOT } from '../helpers/cli.js';
import { HTPASSWD_BIN, makeTestCa, REGISTRY_BIN, startRegistry, type TestRegistry } from '../helpers/test-registry.js';


const REGISTRY: Prerequisite[] = [
  { name: REGISTRY_BIN, from: 'scripts/setup-heavy-hosts.sh (docker-registry)', present: () => existsSync(REGISTRY_BIN) },
  { name: HTPASSWD_BIN, from: 'scripts/setup-heavy-hosts.sh (apache2-utils)', present: () => existsSync(HTPASSWD_BIN) },
];

const PREFIX = '10.213.181';
const BRIDGE_IP = `${PREFIX}.1`;
/** The sandbox driver's bridge for this /24 (mfbr + the prefix in hex): made first, so the registry can listen on it. */
const BRIDGE = `mfbr${PREFIX.split('.').map((x) => Number(x).toString(16).padStart(2, '0')).join('')}`;
const A = `${BRIDGE_IP}:5443`;
const DOWN = `${BRIDGE_IP}:5444`;
const NOCA = `${BRIDGE_IP}:5445`;
const APP = `${A}/mfile-test/app:1`;
const WEB = `${A}/mfile-test/web:1`;
const WEB2 = `${A}/mfile-test/web:2`;
const USER = 'tester';
const PASSWORD = `Pw${process.pid}x${Math.floor(Math.random() * 1e9).toString(36)}`;
const WRONG = `Wrong${process.pid}y${Math.floor(Math.random() * 1e9).toString(36)}`;
const MACHINES = ['m1', 'm2', 'm3'];

interface Extra {
  /** More registries (YAML lines under registries:). */
  registries?: string[];
  /** More containers (YAML lines under containers:). */
  containers?: string[];
  web?: boolean;
}

function config(x: Extra = {}): string {
  const machine = (m: string): string => `  ${m}: { driver: sandbox, sandbox: { subnet: ${PREFIX}.0/24 } }`;
  return [
    'version: 1',
    'project: regs',
    'variables:',
    '  regpw: { sensitive: true }',
    'machines:',
    ...MACHINES.map(machine),
    'registries:',
    `  testreg: { address: "${A}", ca_file: ca/ca.crt, username: ${USER}, password: "\${regpw}" }`,
    ...(x.registries ?? []),
    'containers:',
    '  app:',
    '    machines: [m1, m2, m3]',
    `    image: ${APP}`,
    '    build: { context: ./app, push: testreg }',
    '    network_mode: none',
    '    stop_grace_period: 1s',
    ...(x.web
      ? ['  web:', '    machines: [m1, m2, m3]', `    image: ${WEB}`, '    network_mode: none', '    stop_grace_period: 1s']
      : []),
    ...(x.containers ?? []),
    '',
  ].join('\n');
}

/** A FROM-scratch image context: busybox and a marker file (COPY only: the build needs no network). */
function context(dir: string, marker: string): void {
  mkdirSync(dir, { recursive: true });
  copyFileSync('/bin/busybox', path.join(dir, 'busybox'));
  writeFileSync(path.join(dir, 'marker.txt'), `${marker}\n`);
  writeFileSync(path.join(dir, 'Dockerfile'), 'FROM scratch\nCOPY busybox /bin/busybox\nCOPY marker.txt /marker.txt\nCMD ["/bin/busybox", "sleep", "3600"]\n');
}

/** Every regular file below a folder (no devices, sockets or links), as latin1 text. */
function regularFilesUnder(dir: string): [string, string][] {
  const out: [string, string][] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...regularFilesUnder(p));
    else if (e.isFile()) out.push([p, readFileSync(p).toString('latin1')]);
  }
  return out;
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

describeNeeding([...SANDBOX, ...REGISTRY])('registries on three sandbox machines', () => {
  let dir = '';
  let work = '';
  let stateFile = '';
  let reg: TestRegistry | undefined;
  let noca: TestRegistry | undefined;
  /** Every output mfile gave, for the leak check at the end. */
  const channels: [string, string][] = [];

  /** The CLI, asynchronously: the registries' logs are read while it runs. */
  const run = (args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> => {
    const child = spawn(process.execPath, [MFILE_BIN, args[0], '-f', 'machines.yml', ...args.slice(1)], {
      cwd: dir,
      env: { ...process.env, CI: 'true', NO_COLOR: '1', MFILE_VAR_regpw: PASSWORD, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    return new Promise((resolve) =>
      child.once('close', (code) => {
        channels.push([`mfile ${args.join(' ')} (stdout)`, stdout], [`mfile ${args.join(' ')} (stderr)`, stderr]);
        resolve({ code, stdout, stderr });
      }),
    );
  };
  const envs = new Map<string, Record<string, string>>();
  const envOf = async (m: string): Promise<Record<string, string>> => {
    if (envs.has(m)) return envs.get(m)!;
    const r = await run(['env', m]);
    expect(r.code, r.stderr).toBe(0);
    const vars: Record<string, string> = {};
    for (const [, k, v] of r.stdout.matchAll(/^export (\w+)='?([^'\n]*)'?$/gm)) vars[k] = v;
    envs.set(m, vars);
    return vars;
  };
  /** The docker CLI against a machine's engine, with a config folder of the test's own (for its login). */
  const docker = async (m: string, args: string[], input?: string): Promise<Run> => {
    const env = { ...process.env, ...(await envOf(m)), DOCKER_CONFIG: path.join(work, 'docker-cli'), DOCKER_BUILDKIT: '0' };
    const child = spawn('docker', args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.stdin.end(input ?? '');
    return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
  };
  const inspect = async (m: string, ref: string): Promise<{ Id: string; RepoDigests: string[] }> => {
    const r = await docker(m, ['image', 'inspect', ref]);
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout)[0];
  };
  const state = (): any => JSON.parse(readFileSync(stateFile, 'utf8'));
  const digestIn = (info: { RepoDigests: string[] }, ref: string): string | undefined =>
    info.RepoDigests.find((d) => d.startsWith(`${ref.slice(0, ref.lastIndexOf(':'))}@`))?.split('@')[1];
  /** Pushes an image built on m1 from a context, as someone outside mfile would. */
  const pushFromOutside = async (ref: string, marker: string): Promise<string> => {
    context(path.join(work, 'ctx', marker), marker);
    const login = await docker('m1', ['login', A, '-u', USER, '--password-stdin'], `${PASSWORD}\n`);
    expect(login.code, login.stderr).toBe(0);
    const built = await docker('m1', ['build', '-q', '-t', ref, path.join(work, 'ctx', marker)]);
    expect(built.code, built.stderr).toBe(0);
    const pushed = await docker('m1', ['push', ref]);
    expect(pushed.code, pushed.stderr).toBe(0);
    await docker('m1', ['logout', A]);
    return built.stdout.trim();
  };

  beforeAll(async () => {
    ensureBuilt();
    const base = path.join(REPO_ROOT, '.test-work');
    mkdirSync(base, { recursive: true, mode: 0o700 });
    work = mkdtempSync(path.join(base, 'registries-'));
    dir = path.join(work, 'project');
    stateFile = path.join(dir, '.mfile/state.json');
    mkdirSync(dir);
    const tls = makeTestCa(path.join(dir, 'ca'), BRIDGE_IP);
    context(path.join(dir, 'app'), 'app v1');
    // The bridge the sandbox driver adopts, up before the registry listens on its address.
    if (!existsSync(`/sys/class/net/${BRIDGE}`)) spawnSync('ip', ['link', 'add', BRIDGE, 'type', 'bridge']);
    spawnSync('ip', ['addr', 'replace', `${BRIDGE_IP}/24`, 'dev', BRIDGE]);
    spawnSync('ip', ['link', 'set', BRIDGE, 'up']);
    reg = await startRegistry(path.join(work, 'registry'), { ip: BRIDGE_IP, port: 5443, tls, user: { name: USER, password: PASSWORD } });
    // The same certificate, but machines.yml gives no CA for this address.
    noca = await startRegistry(path.join(work, 'registry-noca'), { ip: BRIDGE_IP, port: 5445, tls });
    writeFileSync(path.join(dir, 'machines.yml'), config());
  }, 120_000);

  afterAll(async () => {
    if (existsSync(stateFile)) await run(['destroy', '-y']);
    await reg?.stop();
    await noca?.stop();
    if (existsSync(`/sys/class/net/${BRIDGE}`) && spawnSync('ls', [`/sys/class/net/${BRIDGE}/brif`], { encoding: 'utf8' }).stdout.trim() === '') {
      spawnSync('ip', ['link', 'del', BRIDGE]);
    }
    if (work) rmSync(work, { recursive: true, force: true });
  }, 300_000);

  it('the plan says which path each image takes: built and pushed once, pulled by the others', async () => {
    const r = await run(['plan']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`image.${APP}[m1]`);
    expect(r.stdout).toContain(`built here and pushed to registry testreg (${A}); the other machines pull it from there`);
    expect(r.stdout).toContain(`not on the machine: pulled from registry testreg (${A}) once image.${APP}[m1] has pushed it`);
  });

  it('apply puts the CA on each machine, builds on m1, pushes, and m2 and m3 pull it', async () => {
    const r = await run(['apply', '-y']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const ca = readFileSync(path.join(dir, 'ca/ca.crt'), 'utf8');
    for (const m of MACHINES) {
      const onMachine = await run(['ssh', m, '--', 'cat', `/etc/docker/certs.d/${A}/ca.crt`]);
      expect(onMachine.stdout).toBe(ca);
    }
    const pushed = digestIn(await inspect('m1', APP), APP);
    expect(pushed).toMatch(/^sha256:[0-9a-f]{64}$/);
    const s = state();
    for (const m of MACHINES) {
      expect(digestIn(await inspect(m, APP), APP)).toBe(pushed);
      expect(s.objects[`image.${APP}[${m}]`].attributes.digest).toBe(pushed);
      const ps = await docker(m, ['ps', '--format', '{{.Names}} {{.Image}}']);
      expect(ps.stdout).toContain(`regs-app ${APP}`);
    }
    // Progress goes to stderr.
    expect(r.stderr).toMatch(/image\.[^\n]*\[m1\][^\n]*built, pushed/);
  }, 600_000);

  it('three machines pull an image pushed from outside mfile', async () => {
    await pushFromOutside(WEB, 'web v1');
    await pushFromOutside(WEB2, 'web v2 tag');
    // m1 built it: without its copy, all three pull.
    await docker('m1', ['rmi', WEB, WEB2]);
    writeFileSync(path.join(dir, 'machines.yml'), config({ web: true }));
    const r = await run(['apply', '-y']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const digests = await Promise.all(MACHINES.map(async (m) => digestIn(await inspect(m, WEB), WEB)));
    expect(new Set(digests).size).toBe(1);
    for (const m of MACHINES) expect(state().objects[`image.${WEB}[${m}]`].attributes.digest).toBe(digests[0]);
    for (const m of MACHINES) expect(r.stderr).toMatch(new RegExp(`image\\.${WEB.replace(/[.[\]]/g, '\\$&')}\\[${m}\\][^\\n]*pulled`));
  }, 600_000);

  it('a tag moved by a push shows in the next plan and replaces the containers that use it', async () => {
    const before = state().objects[`image.${WEB}[m2]`].attributes.digest as string;
    const oldId = (await inspect('m1', WEB)).Id;
    const containerIds = await Promise.all(MACHINES.map(async (m) => (await docker(m, ['inspect', '-f', '{{.Id}}', 'regs-web'])).stdout.trim()));
    await pushFromOutside(WEB, 'web v1 moved');
    // m1 keeps running and tagging the old image, like the others.
    expect((await docker('m1', ['tag', oldId, WEB])).code).toBe(0);
    const after = digestIn({ RepoDigests: (await inspect('m1', WEB)).RepoDigests }, WEB);
    const plan = await run(['plan']);
    expect(plan.code, plan.stderr).toBe(0);
    const moved = plan.stdout.split('\n').filter((l) => l.includes(`tag moved: ${before} → `));
    expect(moved.length, plan.stdout).toBe(6); // 3 image nodes, 3 containers
    const newDigest = /→ (sha256:[0-9a-f]{64})/.exec(moved[0])![1];
    expect(newDigest).not.toBe(before);
    expect(after).toBe(before);
    for (const m of MACHINES) expect(plan.stdout).toContain(`container.web[${m}]`);
    const r = await run(['apply', '-y']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    for (const [i, m] of MACHINES.entries()) {
      const c = JSON.parse((await docker(m, ['inspect', 'regs-web'])).stdout)[0];
      expect(c.Id).not.toBe(containerIds[i]);
      expect(c.Image).toBe((await inspect(m, WEB)).Id);
      expect(state().objects[`image.${WEB}[${m}]`].attributes.digest).toBe(newDigest);
    }
    const again = await run(['plan']);
    expect(again.stdout).toContain('No changes.');
  }, 600_000);

  it('with --refresh=false the plan says the tags were not checked', async () => {
    const r = await run(['plan', '--refresh=false']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`image.${WEB}[m1]: tag not checked in registry testreg (${A}) (--refresh=false)`);
  });

  it('an unknown image fails with one line naming it and the registry', async () => {
    writeFileSync(path.join(dir, 'machines.yml'), config({ web: true, containers: ['  ghost:', '    machine: m1', `    image: ${A}/mfile-test/nope:1`, '    network_mode: none'] }));
    const r = await run(['apply', '-y']);
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toContain(`image ${A}/mfile-test/nope:1 is not in registry testreg (${A}) (pull on machine m1)`);
  }, 300_000);

  it('a wrong password fails with one line naming the registry and the image, and no password', async () => {
    writeFileSync(path.join(dir, 'machines.yml'), config({ web: true, containers: ['  other:', '    machine: m2', `    image: ${WEB2}`, '    network_mode: none'] }));
    const r = await run(['apply', '-y'], { MFILE_VAR_regpw: WRONG });
    expect(r.code).toBe(1);
    const lines = (r.stdout + r.stderr).split('\n').filter((l) => l.includes('refused the credentials'));
    expect(lines.some((l) => l.includes(`registry testreg (${A}) refused the credentials to pull ${WEB2} (wrong username or password for user ${USER})`)), r.stdout + r.stderr).toBe(true);
    channels.push(['wrong password run', r.stdout + r.stderr]);
    expect(r.stdout + r.stderr).not.toContain(WRONG);
  }, 300_000);

  it('a registry that is down is named; the other machines finish their steps', async () => {
    writeFileSync(
      path.join(dir, 'machines.yml'),
      config({
        web: true,
        registries: [`  gone: { address: "${DOWN}" }`],
        containers: ['  lost:', '    machine: m3', `    image: ${DOWN}/mfile-test/lost:1`, '    network_mode: none', '  more:', '    machines: [m1, m2]', `    image: ${WEB}`, '    network_mode: none', '    stop_grace_period: 1s'],
      }),
    );
    const r = await run(['apply', '-y']);
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toContain(`registry gone (${DOWN}) is down or unreachable from machine m3`);
    for (const m of ['m1', 'm2']) expect((await docker(m, ['inspect', '-f', '{{.State.Running}}', 'regs-more'])).stdout.trim()).toBe('true');
  }, 300_000);

  it('an untrusted certificate says which CA to give', async () => {
    writeFileSync(
      path.join(dir, 'machines.yml'),
      config({ web: true, registries: [`  noca: { address: "${NOCA}" }`], containers: ['  unsure:', '    machine: m1', `    image: ${NOCA}/mfile-test/app:1`, '    network_mode: none'] }),
    );
    const r = await run(['apply', '-y']);
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toContain(`machine m1 does not trust the certificate of registry noca (${NOCA}): give the CA that signed it as registries.noca.ca_file (mfile puts it at /etc/docker/certs.d/${NOCA}/ca.crt)`);
    writeFileSync(path.join(dir, 'machines.yml'), config({ web: true }));
    const back = await run(['apply', '-y']);
    expect(back.code, back.stdout + back.stderr).toBe(0);
  }, 300_000);

  it('no credential is in any output, state, plan file, label or file on a machine', async () => {
    const saved = await run(['plan', '--out', path.join(dir, 'saved.plan')]);
    expect(saved.code, saved.stderr).toBe(0);
    await run(['plan', '--json']);
    await run(['show', '--json']);
    const all: [string, string][] = [...channels];
    // The project folder holds the state, the saved plan and each sandbox machine's own /etc/docker and /var/lib/docker.
    for (const [file, text] of regularFilesUnder(dir)) all.push([path.relative(dir, file), text]);
    for (const m of MACHINES) {
      const objects = await docker(m, ['ps', '-aq']);
      const inspected = await docker(m, ['inspect', ...objects.stdout.trim().split('\n').filter(Boolean), APP, WEB]);
      all.push([`${m}: docker inspect`, inspected.stdout]);
      const files = await run(['ssh', m, '--', 'grep', '-rlaF', '-e', PASSWORD, '-e', WRONG, '/etc/docker', '/var/lib/docker/image', '/var/log']);
      all.push([`${m}: files holding it`, files.stdout]);
      expect(files.code, files.stderr).toBe(1); // grep: nothing found
    }
    const encoded = [PASSWORD, WRONG, Buffer.from(PASSWORD).toString('base64').slice(0, 12)];
    const leaks = all.filter(([, text]) => encoded.some((n) => text.includes(n))).map(([where]) => where);
    expect(leaks).toEqual([]);
  }, 300_000);
});
