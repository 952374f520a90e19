// Shell injection end to end: hostile strings in every value that travels to a sandbox machine (engine labels,
// engine.daemon options, container environment, labels, command arguments, a bind path) run nothing anywhere
// and arrive byte for byte; names that would escape a folder or break a Docker name never get past the schema.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeNeeding, SANDBOX } from '../helpers/prerequisites.js';
import { ensureCliBuilt, runCliAsync } from './helpers/cli-process.js';
import { ensureTestImage, TEST_IMAGE } from './helpers/docker.js';
import { destroyProject, netnsList, projectNetns, removeProjectDir, sandboxProject, type SandboxProject } from './helpers/sandbox-project.js';
import { uniqueProject } from './helpers/project.js';

const TOKEN = `${process.pid}-${Math.floor(Math.random() * 1e6)}`;
const marker = (i: number): string => `/tmp/pwned-${TOKEN}-${i}`;
const MARKERS = Array.from({ length: 9 }, (_, i) => marker(i + 1));

/** Each would create its marker file if any shell on the way evaluated it. */
const EVIL: Record<string, string> = {
  subst: `$(touch ${marker(1)})`,
  backtick: `\`touch ${marker(2)}\``,
  semicolon: `; touch ${marker(3)}`,
  newline: `a\ntouch ${marker(4)}\nb`,
  single: `it's '$(touch ${marker(5)})'`,
  double: `"; touch ${marker(6)}; echo "`,
  backslash: `back\\slash \\$(touch ${marker(7)}) \\`,
  home: `$HOME \${HOME} ~ && touch ${marker(8)} | cat`,
};
// Docker's bind syntax is SOURCE:TARGET:MODE, so no ':' and no newline there; /tmp is the machine's own.
const BIND_SOURCE = `/tmp/bind $(touch ${marker(9)}) \`x\` ; 'q' "dq" \\ $HOME`;

/** A value as a YAML double-quoted scalar: JSON is YAML, and `$$` (Compose's literal `$`) keeps mfile from reading `$X` or `${X}` as a variable. */
const y = (v: string): string => JSON.stringify(v).replaceAll('$', () => '$$');
const yMap = (m: Record<string, string>): string => `{ ${Object.entries(m).map(([k, v]) => `${k}: ${y(v)}`).join(', ')} }`;

const evilValues = Object.values(EVIL);
const DAEMON_LOG_LABELS = evilValues.join(',');

function config(project: string): string {
  return [
    'version: 1',
    `project: ${project}`,
    'machines:',
    '  m1:',
    '    driver: sandbox',
    '    engine:',
    `      labels: ${yMap(EVIL)}`,
    // Keys dockerd knows (it refuses unknown ones), holding hostile strings it does not interpret.
    `      daemon: { debug: false, log-opts: { labels: ${y(DAEMON_LOG_LABELS)}, env: ${y(EVIL.double)}, max-size: 10m } }`,
    'containers:',
    '  inj:',
    '    machine: m1',
    `    image: ${TEST_IMAGE}`,
    // sh -c runs the constant script only; the hostile words are its unused positional parameters.
    `    command: ${JSON.stringify(['sh', '-c', 'exec httpd -f -p 80 -h /www', 'sh', ...evilValues].map((v) => v.replaceAll('$', () => '$$')))}`,
    `    environment: ${yMap(Object.fromEntries(Object.entries(EVIL).map(([k, v]) => [k.toUpperCase(), v])))}`,
    `    labels: ${yMap(Object.fromEntries(Object.entries(EVIL).map(([k, v]) => [`x.${k}`, v])))}`,
    `    volumes: [{ type: bind, source: ${y(BIND_SOURCE)}, target: /data }]`,
    '    stop_grace_period: 1s',
    '',
  ].join('\n');
}

function dockerEnv(envOut: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const m of envOut.matchAll(/^export (DOCKER_[A-Z_]+)=["']?([^"'\n]*)["']?$/gm)) env[m[1]] = m[2];
  return env;
}

describeNeeding(SANDBOX)('hostile values on the way to a sandbox machine', () => {
  const project = uniqueProject('mfrinj');
  let p: SandboxProject;
  let inspect: { Config: { Env: string[]; Cmd: string[]; Labels: Record<string, string> }; HostConfig: { Binds: string[] }; State: { Running: boolean } };

  beforeAll(async () => {
    ensureCliBuilt();
    ensureTestImage();
    p = sandboxProject('inj');
    p.write(config(project));
    const r = await p.cli(['apply', '-y'], { timeoutMs: 300_000 });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const env = await p.cli(['env', 'm1']);
    expect(env.code, env.stderr).toBe(0);
    const out = execFileSync('docker', ['inspect', `${project}-inj`], { encoding: 'utf8', env: dockerEnv(env.stdout), timeout: 30_000 });
    inspect = JSON.parse(out)[0];
  }, 400_000);

  afterAll(async () => {
    if (!p) return;
    try {
      const r = await destroyProject(p, ['m1']);
      expect(r?.code, r ? r.stdout + r.stderr : 'destroy did not run').toBe(0);
      const left = netnsList();
      for (const ns of projectNetns(p, ['m1'])) expect(left).not.toContain(ns);
    } finally {
      removeProjectDir(p);
    }
  }, 300_000);

  it('no marker file exists on the machine, in the container or on the controller', async () => {
    // The probe can see a file when there is one: a control file made on purpose is found.
    const control = `/tmp/control-${TOKEN}`;
    expect((await p.cli(['ssh', 'm1', '--', 'touch', control])).code).toBe(0);
    const r = await p.cli(['ssh', 'm1', '--', 'sh', '-c', 'for f; do if test -e "$f"; then echo "$f"; fi; done', 'sh', control, ...MARKERS]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split('\n').filter(Boolean)).toEqual([control]);
    for (const f of MARKERS) expect(existsSync(f), `${f} exists on the controller`).toBe(false);
    const env = dockerEnv((await p.cli(['env', 'm1'])).stdout);
    const inContainer = execFileSync('docker', ['exec', `${project}-inj`, 'sh', '-c', 'ls /tmp; true'], { encoding: 'utf8', env });
    expect(inContainer).not.toContain('pwned');
  });

  it('mfile ssh passes a hostile argument through literally', async () => {
    const r = await p.cli(['ssh', 'm1', '--', 'printf', '%s', EVIL.subst + EVIL.semicolon + EVIL.single]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(EVIL.subst + EVIL.semicolon + EVIL.single);
  });

  it('daemon.json on the machine holds the values byte for byte', async () => {
    const r = await p.cli(['ssh', 'm1', '--', 'cat', '/etc/docker/daemon.json']);
    expect(r.code, r.stderr).toBe(0);
    const daemon = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(daemon.labels).toEqual(Object.keys(EVIL).sort().map((k) => `${k}=${EVIL[k]}`));
    expect(daemon['log-opts']).toEqual({ labels: DAEMON_LOG_LABELS, env: EVIL.double, 'max-size': '10m' });
    expect(daemon.debug).toBe(false);
    expect(daemon.tlsverify).toBe(true);
  });

  it('the running engine reports the labels as written', async () => {
    const env = dockerEnv((await p.cli(['env', 'm1'])).stdout);
    const labels = JSON.parse(execFileSync('docker', ['info', '--format', '{{json .Labels}}'], { encoding: 'utf8', env })) as string[];
    for (const [k, v] of Object.entries(EVIL)) expect(labels).toContain(`${k}=${v}`);
  });

  it('the container has the environment, labels, command and bind path byte for byte', async () => {
    expect(inspect.State.Running).toBe(true);
    for (const [k, v] of Object.entries(EVIL)) {
      expect(inspect.Config.Env).toContain(`${k.toUpperCase()}=${v}`);
      expect(inspect.Config.Labels[`x.${k}`]).toBe(v);
    }
    expect(inspect.Config.Cmd).toEqual(['sh', '-c', 'exec httpd -f -p 80 -h /www', 'sh', ...evilValues]);
    expect(inspect.HostConfig.Binds).toEqual([`${BIND_SOURCE}:/data:rw`]);
    // The engine made the folder under that exact name on the machine.
    expect((await p.cli(['ssh', 'm1', '--', 'test', '-d', BIND_SOURCE])).code).toBe(0);
  });

  it('a second apply sees the values as unchanged (they round-trip through the engine)', async () => {
    const r = await p.cli(['plan', '--detailed-exitcode']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
  });
});

describe('names that would escape a folder or break a Docker name', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'mfile-rel-names-'));
  const file = path.join(dir, 'machines.yml');
  beforeAll(() => ensureCliBuilt());
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  // One file holding every bad name: the loader reports all issues at once, each at its own line:column.
  const yaml = [
    'version: 1',
    'machines:',
    '  "../x": { driver: sandbox }',
    '  "a/b": { driver: sandbox }',
    '  "a b": { driver: sandbox }',
    '  m1: { driver: sandbox }',
    'networks:',
    '  "../n": {}',
    '  n: { name: "../n2" }',
    'volumes:',
    '  "../v": {}',
    '  "v/w": {}',
    '  v: { name: "../v2" }',
    'containers:',
    '  "../c": { machine: m1, image: busybox }',
    '  "$(x)": { machine: m1, image: busybox }',
    '  c: { machine: m1, image: busybox, container_name: "../c2" }',
    '',
  ].join('\n');
  /** [what the message says, the quoted text its line:column must point at] */
  const cases: [string, string][] = [
    ["invalid machine name '../x'", '"../x"'],
    ["invalid machine name 'a/b'", '"a/b"'],
    ["invalid machine name 'a b'", '"a b"'],
    ["invalid network name '../n'", '"../n"'],
    ['networks.n.name', '"../n2"'],
    ["invalid volume name '../v'", '"../v"'],
    ["invalid volume name 'v/w'", '"v/w"'],
    ['volumes.v.name', '"../v2"'],
    ["invalid container name '../c'", '"../c"'],
    ["invalid container name '$(x)'", '"$(x)"'],
    ['containers.c.container_name', '"../c2"'],
  ];
  const positionOf = (needle: string): string => {
    const lines = yaml.split('\n');
    const line = lines.findIndex((l) => l.includes(needle));
    return `${line + 1}:${lines[line].indexOf(needle) + 1}`;
  };

  it.each(['validate', 'plan'])('%s rejects each with a positioned error, exit 1, and makes nothing', async (verb) => {
    writeFileSync(file, yaml);
    const r = await runCliAsync([verb, '-f', file], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(1);
    const lines = r.stderr.split('\n');
    for (const [text, needle] of cases) {
      const line = lines.find((l) => l.includes(text));
      expect(line, `${text}\n${r.stderr}`).toBeDefined();
      expect(line!.startsWith(`${file}:${positionOf(needle)}: `), line).toBe(true);
    }
    expect(existsSync(path.join(dir, '.mfile', 'state.json'))).toBe(false);
  });
});
