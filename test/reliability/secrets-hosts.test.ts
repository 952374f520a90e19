// A sensitive variable used in a container's environment and in a sandbox machine's engine labels and daemon
// options: it reaches the machine, and nowhere else (no output of any verb, no saved plan, no file mfile keeps).
// Plus the file modes of keys and certificate folders, the Docker TCP port refusing anyone without a client
// certificate, and `tls: false` flagged as insecure in the plan.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeNeeding, SANDBOX } from '../helpers/prerequisites.js';
import type { CliResult } from './helpers/cli-process.js';
import { ensureCliBuilt } from './helpers/cli-process.js';
import { ensureTestImage, TEST_IMAGE } from './helpers/docker.js';
import { uniqueProject } from './helpers/project.js';
import { destroyProject, dockerOn, netnsList, projectNetns, removeProjectDir, sandboxProject, type SandboxProject } from './helpers/sandbox-project.js';

const SECRET = `Sekr3t-${process.pid}-${Math.floor(Math.random() * 1e9)}-pw`;
const MACHINES = ['s1', 's2'];

function config(project: string, opts: { broken: boolean }): string {
  const lines = [
    'version: 1',
    `project: ${project}`,
    'variables:',
    '  token: { sensitive: true }',
    'machines:',
    '  s1:',
    '    driver: sandbox',
    '    engine:',
    '      labels: { role: app, token: "${token}" }',
    '      daemon: { debug: false, log-opts: { labels: "x-${token}", max-size: 10m } }',
    '  s2:',
    '    driver: sandbox',
    // The second version changes s2's labels: a machine update, so the run writes state (and its backup).
    `    engine: { labels: { token: "\${token}"${opts.broken ? '' : ', tier: fixed'} } }`,
    'containers:',
    '  app:',
    '    machine: s1',
    `    image: ${TEST_IMAGE}`,
    '    command: ["httpd", "-f", "-p", "80", "-h", "/www"]',
    '    environment: { TOKEN: "${token}", URL: "https://user:${token}@example.invalid/" }',
    '    stop_grace_period: 1s',
  ];
  if (opts.broken) {
    lines.push(
      '  broken:',
      '    machine: s2',
      '    image: mfile-test/not-anywhere:404', // pull_policy never + absent: the create fails with an error message
      '    pull_policy: never',
      '    environment: { TOKEN: "${token}" }',
      '    stop_grace_period: 1s',
    );
  }
  return lines.join('\n') + '\n';
}

/** Every file below dir, except the sandbox machines' own disks (machines/NAME/root: their /etc/docker, /var/lib/docker...). */
function filesBelow(dir: string, machineDisks: Set<string>): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (machineDisks.has(p)) continue;
    if (e.isDirectory()) out.push(...filesBelow(p, machineDisks));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

interface HttpOutcome {
  status?: number;
  body?: string;
  error?: string;
}

function get(useTls: boolean, host: string, opts: { ca?: Buffer; cert?: Buffer; key?: Buffer } = {}): Promise<HttpOutcome> {
  return new Promise((resolve) => {
    const req = (useTls ? httpsRequest : httpRequest)(
      { host, port: 2376, path: '/version', method: 'GET', timeout: 10_000, ...(useTls ? { ...opts, servername: undefined, checkServerIdentity: () => undefined } : {}) },
      (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode, body }));
        res.on('error', (e) => resolve({ error: e.message }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e) => resolve({ error: e.message }));
    req.end();
  });
}

describeNeeding(SANDBOX)('a sensitive value on sandbox machines', () => {
  const project = uniqueProject('mfrsec');
  const env = { MFILE_VAR_token: SECRET };
  let p: SandboxProject;
  /** Every CLI result and every saved file of the scenario, checked for the secret at the end. */
  const outputs: { what: string; r: CliResult }[] = [];
  const planFile = (): string => path.join(p.dir, 'saved.plan');

  const cli = async (what: string, args: string[], expectCode: number | null): Promise<CliResult> => {
    const r = await p.cli(args, { env, timeoutMs: 300_000 });
    outputs.push({ what, r });
    if (expectCode !== null) expect(r.code, `${what}\n${r.stdout}\n${r.stderr}`).toBe(expectCode);
    return r;
  };

  beforeAll(() => {
    ensureCliBuilt();
    ensureTestImage();
    p = sandboxProject('sec');
    p.write(config(project, { broken: true }));
  }, 300_000);

  afterAll(async () => {
    if (!p) return;
    try {
      const r = await destroyProject(p, MACHINES, env);
      expect(r?.code, r ? r.stdout + r.stderr : 'destroy did not run').toBe(0);
      const left = netnsList();
      for (const ns of projectNetns(p, MACHINES)) expect(left).not.toContain(ns);
    } finally {
      removeProjectDir(p);
    }
  }, 300_000);

  it('plan (text, --json, --out) shows the secret as (sensitive) only', async () => {
    const text = await cli('plan', ['plan'], 0);
    expect(text.stdout).toContain('(sensitive)');
    await cli('plan --json', ['plan', '--json'], 0);
    await cli('plan --out', ['plan', '--out', planFile()], 0);
    expect(readFileSync(planFile(), 'utf8')).toContain('(sensitive)');
  });

  it('an apply with plain progress fails on the broken container and names it, without the secret', async () => {
    const r = await cli('apply (plain, failing)', ['apply', '-y'], 1);
    expect(r.stdout + r.stderr).toContain('container.broken[s2]');
    expect(r.stdout + r.stderr).toMatch(/not-anywhere/);
  });

  it('an apply with --json progress fails the same way, without the secret', async () => {
    const r = await cli('apply --json (failing)', ['apply', '-y', '--json'], 1);
    expect(r.stdout).toContain('container.broken[s2]');
  });

  it('the secret reached the machine and the container as it is (so it was really used)', async () => {
    const daemon = await cli('ssh cat daemon.json', ['ssh', 's1', '--', 'cat', '/etc/docker/daemon.json'], 0);
    outputs.pop(); // this output is the machine's own file: it must hold the value
    const d = JSON.parse(daemon.stdout) as { labels: string[]; 'log-opts': Record<string, string> };
    expect(d.labels).toContain(`token=${SECRET}`);
    expect(d['log-opts'].labels).toBe(`x-${SECRET}`);
    const envOut = dockerOn(p, 's1', ['inspect', '--format', '{{json .Config.Env}}', `${project}-app`]);
    expect(JSON.parse(envOut)).toEqual(expect.arrayContaining([`TOKEN=${SECRET}`, `URL=https://user:${SECRET}@example.invalid/`]));
  });

  it('show, show --json, ls, ls --json and env say nothing of it', async () => {
    // Read-only verbs: run side by side.
    const results = await Promise.all([
      cli('show', ['show'], 0),
      cli('show --json', ['show', '--json'], 0),
      cli('ls', ['ls'], 0),
      cli('ls --json', ['ls', '--json'], 0),
      cli('env', ['env', 's1'], 0),
    ]);
    const [, , ls, , env] = results;
    expect(ls.stdout).toMatch(/s1\s+sandbox/);
    expect(env.stdout).toContain('DOCKER_HOST=');
    for (const r of results) expect(r.stdout + r.stderr).not.toContain(SECRET);
  });

  it('a saved plan applied with --json succeeds once the broken container is gone (and s2 relabelled)', async () => {
    p.write(config(project, { broken: false }));
    await cli('plan --out (fixed)', ['plan', '--out', planFile()], 0);
    await cli('apply PLANFILE --json', ['apply', '-y', '--json', planFile()], 0);
    await cli('plan --detailed-exitcode', ['plan', '--detailed-exitcode'], 0);
  });

  it('the secret appears in no output, no saved plan and no file under .mfile', () => {
    expect(outputs.length).toBeGreaterThan(10);
    for (const { what, r } of outputs) {
      expect(r.stdout.includes(SECRET), `${what} stdout`).toBe(false);
      expect(r.stderr.includes(SECRET), `${what} stderr`).toBe(false);
    }
    expect(readFileSync(planFile(), 'utf8')).not.toContain(SECRET);
    const disks = new Set(MACHINES.map((m) => path.join(p.stateDir, 'machines', m, 'root')));
    const files = filesBelow(p.stateDir, disks);
    expect(files.map((f) => path.relative(p.stateDir, f))).toEqual(expect.arrayContaining(['state.json', 'state.json.backup']));
    for (const f of files) expect(readFileSync(f).includes(SECRET), path.relative(p.dir, f)).toBe(false);
  });

  it('private keys are 0600, certificate folders 0700', () => {
    const disks = new Set(MACHINES.map((m) => path.join(p.stateDir, 'machines', m, 'root')));
    const keys = filesBelow(p.stateDir, disks).filter((f) => /PRIVATE KEY/.test(readFileSync(f, 'utf8')));
    // The CA and client keys, and per machine the SSH identity, the SSH host key and the server key.
    expect(keys.length).toBeGreaterThanOrEqual(2 + 3 * MACHINES.length);
    for (const k of keys) expect((statSync(k).mode & 0o777).toString(8), path.relative(p.stateDir, k)).toBe('600');
    for (const d of [path.join(p.stateDir, 'certs'), ...MACHINES.map((m) => path.join(p.stateDir, 'machines', m))]) {
      expect((statSync(d).mode & 0o777).toString(8), path.relative(p.stateDir, d)).toBe('700');
    }
  });

  it('the Docker TCP port refuses plain HTTP and TLS without a client certificate', async () => {
    const ip = p.data('s1').ip;
    const ca = readFileSync(path.join(p.stateDir, 'certs', 'ca.pem'));
    const cert = readFileSync(path.join(p.stateDir, 'certs', 'cert.pem'));
    const key = readFileSync(path.join(p.stateDir, 'certs', 'key.pem'));
    // With the client certificate the API answers: the probes below reach a live daemon.
    const ok = await get(true, ip, { ca, cert, key });
    expect(ok.status, ok.error).toBe(200);
    expect(ok.body).toContain('ApiVersion');
    for (const outcome of [await get(false, ip), await get(true, ip, { ca })]) {
      expect(outcome.status === 200 || (outcome.body ?? '').includes('ApiVersion'), JSON.stringify(outcome)).toBe(false);
    }
  });
});

describeNeeding(SANDBOX)('tls: false', () => {
  let p: SandboxProject;
  beforeAll(() => {
    ensureCliBuilt();
    p = sandboxProject('notls');
  });
  afterAll(() => p && removeProjectDir(p));

  it('is flagged as insecure in the plan text', async () => {
    writeFileSync(
      p.file,
      [
        'version: 1',
        `project: ${uniqueProject('mfrnotls')}`,
        'machines:',
        '  plain: { driver: sandbox, tls: false }',
        '  safe: { driver: sandbox }',
        '  remote: { driver: none, none: { url: "tcp://127.0.0.1:2375" }, tls: false }',
        '',
      ].join('\n'),
    );
    const r = await p.cli(['plan'], { timeoutMs: 120_000 });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const insecure = r.stdout.split('\n').filter((l) => /insecure/i.test(l));
    expect(insecure.some((l) => l.includes('machine plain')), r.stdout).toBe(true);
    expect(insecure.some((l) => l.includes('machine remote')), r.stdout).toBe(true);
    expect(insecure.some((l) => l.includes('machine safe')), r.stdout).toBe(false);
    // plan made nothing
    expect(netnsList().filter((n) => projectNetns(p, ['plain', 'safe']).includes(n))).toEqual([]);
  });
});
