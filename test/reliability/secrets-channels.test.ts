// Sensitive values as a table: every place machines.yml can use one (rows) against every channel mfile writes to
// (columns). Each place gets its own secret, so a leak names its row and column. A secret is found even when it
// was split into words, unescaped or reformatted: each one holds a marker word that no masking leaves behind.
//
// Part 1 needs no engine (--refresh=false): validate, plan text/--json/--out, show, under every way of giving a
// value (--var, MFILE_VAR_, --var-file, --var-stdin). Part 2 applies to the controller's dockerd with driver
// local: plain and --json progress, the errors of steps that fail (one echoes the value from the engine), the
// state and its backup, show/ls/env, a plan against what runs, and destroy.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_BIN, ensureCliBuilt } from './helpers/cli-process.js';
import { cleanupProject, docker, ensureTestImage, TEST_IMAGE } from './helpers/docker.js';
import { pool } from './helpers/fuzz-cli.js';
import { uniqueProject } from './helpers/project.js';
import { filesUnder } from './helpers/files-under.js';

const RAND = Math.floor(Math.random() * 1e9);
const R = `${process.pid.toString(36)}${RAND.toString(36)}`;
/** A value that trips naive masking (quotes, a backslash, a dollar, spaces) around a marker word. */
const nasty = (tag: string): string => `${tag}${R} 'a"b\\c $d`;

interface Use {
  /** Where the value is used. */
  use: string;
  vars: Record<string, string>;
  /** Strings that must appear in no output and no file (the value, its marker, the numbers it became). */
  needles: string[];
  /** Only in the plan-only config (no engine can run it here). */
  planOnly?: boolean;
}

const shares = String(100_000 + (RAND % 150_000));
const nofile = String(40_000 + (RAND % 20_000));
const grace = String(1000 + (RAND % 8000));
const mem = String(300 + (RAND % 600));
const port = String(41_000 + (RAND % 20_000));

const USES: Use[] = [
  { use: 'image reference', vars: { img: `img${R}` }, needles: [`img${R}`] },
  { use: 'environment', vars: { envv: nasty('Env') }, needles: [`Env${R}`] },
  { use: 'command string', vars: { cmd: nasty('Cmd') }, needles: [`Cmd${R}`] },
  { use: 'command list', vars: { cmdlist: nasty('Lst') }, needles: [`Lst${R}`] },
  { use: 'entrypoint', vars: { entry: nasty('Ent') }, needles: [`Ent${R}`] },
  { use: 'labels', vars: { label: nasty('Lbl') }, needles: [`Lbl${R}`] },
  { use: 'healthcheck', vars: { hc: nasty('Hck') }, needles: [`Hck${R}`] },
  { use: 'bind path', vars: { bind: `bnd${R}` }, needles: [`bnd${R}`] },
  { use: 'user (the engine echoes it in its error)', vars: { usr: nasty('Usr') }, needles: [`Usr${R}`] },
  { use: 'cpu_shares (a number)', vars: { shares }, needles: [shares] },
  { use: 'ulimits (a number)', vars: { nofile }, needles: [nofile] },
  { use: 'stop_grace_period (a duration)', vars: { grace }, needles: [`${grace}s`, String(Number(grace) * 1e9)] },
  { use: 'mem_limit (a size)', vars: { mem }, needles: [`${mem}m`, String(Number(mem) * 1024 * 1024)], planOnly: true },
  { use: 'ports', vars: { port }, needles: [`${port}:80`, `"${port}"`], planOnly: true },
  { use: 'engine labels and daemon options', vars: { elabel: nasty('Eng') }, needles: [`Eng${R}`], planOnly: true },
  { use: 'registry password', vars: { regpw: nasty('Reg') }, needles: [`Reg${R}`], planOnly: true },
];

const ALL_VARS: Record<string, string> = Object.assign({}, ...USES.map((u) => u.vars));
const BIND_DIR = `/tmp/mfile-sec-bnd${R}`;

function config(project: string, planOnly: boolean): string {
  const decl = Object.keys(ALL_VARS).map((v) => `  ${v}: { sensitive: true }`);
  const lines = [
    'version: 1',
    `project: ${project}`,
    'variables:',
    ...decl,
    'machines:',
    '  m1: { driver: local }',
    ...(planOnly
      ? [
          '  g1:',
          '    driver: generic',
          '    generic: { host: 203.0.113.7, user: root }',
          '    engine:',
          '      labels: { k: "${elabel}" }',
          '      daemon: { labels: ["x=${elabel}"] }',
        ]
      : []),
    ...(planOnly ? ['registries:', '  priv: { address: "registry.example.invalid:5000", username: bob, password: "${regpw}" }'] : []),
    'networks:',
    '  net: {}',
    'containers:',
    '  app:',
    '    machine: m1',
    '    image: mfile-sec/${img}:1',
    '    networks: [net]',
    '    environment: { TOKEN: "${envv}" }',
    "    command: sh -c 'sleep 3600' ${cmd}",
    '    entrypoint: ["env", "X=${entry}"]',
    '    labels: { token: "${label}" }',
    '    healthcheck: { test: ["CMD", "true", "${hc}"], interval: 30s }',
    `    volumes: ["${BIND_DIR.replace(`bnd${R}`, '${bind}')}:/data"]`,
    '    cpu_shares: ${shares}',
    '    ulimits:',
    '      nofile:',
    '        soft: ${nofile}',
    '        hard: ${nofile}',
    '    stop_grace_period: 1s',
    ...(planOnly ? ['    mem_limit: ${mem}m', '    ports: ["${port}:80"]'] : []),
    '  baduser:',
    '    machine: m1',
    `    image: ${TEST_IMAGE}`,
    '    networks: [net]',
    '    user: "${usr}"',
    '    command: ["sh", "-c", "sleep 3600", "${cmdlist}"]',
    '    stop_grace_period: ${grace}s',
    '  broken:',
    '    machine: m1',
    '    image: mfile-sec/${img}-absent:1',
    '    pull_policy: never',
    '    networks: [net]',
    ...(planOnly ? ['  private:', '    machine: g1', '    image: registry.example.invalid:5000/team/app:1'] : []),
  ];
  return lines.join('\n') + '\n';
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(cwd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; input?: string } = {}): Promise<Run> {
  const child = spawn(process.execPath, [CLI_BIN, ...args], {
    cwd,
    env: { ...process.env, CI: 'true', NO_COLOR: '1', MFILE_DEBUG: '', ...opts.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  child.stdin.end(opts.input ?? '');
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The ways to give the values. Each returns the extra arguments, environment and standard input. */
type Source = (dir: string) => { args: string[]; env?: NodeJS.ProcessEnv; input?: string };
const envFileLine = (k: string, v: string): string => `${k}='${v.replace(/'/g, "'\\''")}'`;
const SOURCES: [string, Source][] = [
  ['--var', () => ({ args: Object.entries(ALL_VARS).flatMap(([k, v]) => ['--var', `${k}=${v}`]) })],
  ['MFILE_VAR_', () => ({ args: [], env: Object.fromEntries(Object.entries(ALL_VARS).map(([k, v]) => [`MFILE_VAR_${k}`, v])) })],
  [
    '--var-file + --var-stdin',
    (dir) => {
      // A value with a single quote cannot be written in a single-quoted .env value: that one comes on stdin.
      const { envv, ...rest } = ALL_VARS;
      const file = path.join(dir, '..', 'secrets.env');
      writeFileSync(file, Object.entries(rest).map(([k, v]) => (v.includes("'") ? `${k}="${v.replace(/["\\]/g, '\\$&')}"` : envFileLine(k, v))).join('\n') + '\n');
      return { args: ['--var-file', file, '--var-stdin', 'envv'], input: `${envv}\n` };
    },
  ],
];


/** Millisecond times in events hold arbitrary digits: they are not output a number secret could be in. */
const withoutTimes = (text: string): string => text.replace(/"(time|elapsedMs)":\d+/g, '"$1":0');

/** The table: `USE × CHANNEL` for every secret found, in any form of its marker, in a channel's text. */
function leaks(channels: [string, string][], uses: Use[]): string[] {
  const found: string[] = [];
  for (const [channel, text] of channels) {
    const t = withoutTimes(text);
    for (const u of uses) if (u.needles.some((n) => t.includes(n) || t.includes(JSON.stringify(n).slice(1, -1)))) found.push(`${u.use} × ${channel}`);
  }
  return found;
}

/** A machine address with a sensitive value: refused, since the state keeps the address. */
const ADDRESS_USES: Use[] = [
  { use: 'generic host', vars: { ghost: `h${R}.example.invalid` }, needles: [`h${R}`] },
  { use: 'generic user', vars: { guser: `u${R}` }, needles: [`u${R}`] },
  { use: 'generic jump host', vars: { gjump: `j${R}.example.invalid` }, needles: [`j${R}`] },
];

let root: string;
beforeAll(() => {
  ensureCliBuilt();
  root = mkdtempSync(path.join(tmpdir(), 'mfile-secret-table-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe.each(SOURCES)('sensitive values given by %s, without an engine', (how, source) => {
  it('appear in no channel of validate, plan (text, --json, --out) and show, nor in any file', async () => {
    const dir = path.join(root, `plan-${how.replace(/\W+/g, '')}`, 'proj');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'machines.yml'), config(uniqueProject('mfsectab'), true));
    const runs: [string, string[]][] = [
      ['validate', ['validate']],
      ['validate --json', ['validate', '--json']],
      ['plan', ['plan', '--refresh=false']],
      ['plan --json', ['plan', '--refresh=false', '--json']],
      ['plan --out', ['plan', '--refresh=false', '--out', 'saved.plan']],
      ['show', ['show']],
    ];
    const results = await pool(
      runs.map(([, args]) => () => {
        const s = source(dir);
        return run(dir, [...args, ...s.args], { env: s.env, input: s.input });
      }),
      1, // one at a time: plan takes the state lock
    );
    const channels: [string, string][] = [];
    results.forEach((r, i) => {
      expect(r.code, `${runs[i][0]}: ${r.stderr}`).toBe(0);
      channels.push([`${runs[i][0]} stdout`, r.stdout], [`${runs[i][0]} stderr`, r.stderr]);
    });
    for (const [file, text] of filesUnder(dir)) channels.push([path.relative(dir, file), text]);
    expect(leaks(channels, USES)).toEqual([]);

    // The values were there, and masked: with masking gone, the table above fills up.
    const plan = results[2].stdout;
    expect(plan).toMatch(/image\.\(sensitive\)#[0-9a-f]{12}\[m1\]/);
    expect(plan).toMatch(/ TOKEN += \(sensitive\)\n/);
    expect(plan).toMatch(/cpu_shares\s+= \(sensitive\)\n/);
    expect(plan).toMatch(/stop_grace_period\s+= \(sensitive\)\n/);
    expect(readFileSync(path.join(dir, 'saved.plan'), 'utf8')).toContain('(sensitive)');
  });
});

describe('a sensitive value in a machine address', () => {
  it('is refused by validate and plan with its position, and appears in no output or file', async () => {
    const dir = path.join(root, 'address', 'proj');
    mkdirSync(dir, { recursive: true });
    const yaml = [
      'version: 1',
      'variables: { ghost: { sensitive: true }, guser: { sensitive: true }, gjump: { sensitive: true } }',
      'machines:',
      '  g1:',
      '    driver: generic',
      '    generic:',
      '      host: "${ghost}"',
      '      user: "${guser}"',
      '      jump: { host: "${gjump}" }',
      '',
    ].join('\n');
    writeFileSync(path.join(dir, 'machines.yml'), yaml);
    const vars = Object.assign({}, ...ADDRESS_USES.map((u) => u.vars)) as Record<string, string>;
    const env = Object.fromEntries(Object.entries(vars).map(([k, v]) => [`MFILE_VAR_${k}`, v]));
    const channels: [string, string][] = [];
    for (const args of [['validate'], ['validate', '--json'], ['plan', '--refresh=false']]) {
      const r = await run(dir, args, { env });
      expect(r.code, args.join(' ')).toBe(1);
      for (const key of ['host', 'user', 'jump.host']) expect(r.stdout + r.stderr).toContain(`machines.g1.generic.${key}: a sensitive value cannot be used here`);
      channels.push([`${args.join(' ')} stdout`, r.stdout], [`${args.join(' ')} stderr`, r.stderr]);
    }
    for (const [file, text] of filesUnder(dir)) channels.push([path.relative(dir, file), text]);
    expect(leaks(channels, ADDRESS_USES)).toEqual([]);
  });
});

describe('sensitive values applied to a real engine (driver local)', () => {
  const project = uniqueProject('mfsecapp');
  let dir: string;
  const channels: [string, string][] = [];
  // Part 1 covers each way of giving values; here the environment does, for every verb alike.
  const env = Object.fromEntries(Object.entries(ALL_VARS).map(([k, v]) => [`MFILE_VAR_${k}`, v]));
  const cli = async (channel: string, args: string[], expectCode: number): Promise<Run> => {
    const r = await run(dir, args, { env });
    channels.push([`${channel} stdout`, r.stdout], [`${channel} stderr`, r.stderr]);
    expect(r.code, `${channel}\n${r.stdout}\n${r.stderr}`).toBe(expectCode);
    return r;
  };

  beforeAll(() => {
    ensureTestImage();
    docker(undefined, ['tag', TEST_IMAGE, `mfile-sec/img${R}:1`]);
    dir = path.join(root, 'apply', 'proj');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'machines.yml'), config(project, false));
  }, 300_000);

  afterAll(() => {
    cleanupProject(undefined, project);
    try {
      docker(undefined, ['rmi', `mfile-sec/img${R}:1`]);
    } catch {
      // destroy removed the tag already
    }
    rmSync(BIND_DIR, { recursive: true, force: true });
  });

  it('plan shows the image under its stand-in and the values as (sensitive)', async () => {
    const r = await cli('plan', ['plan'], 0);
    expect(r.stdout).toMatch(/image\.\(sensitive\)#[0-9a-f]{12}\[m1\]/);
    await cli('plan --json', ['plan', '--json'], 0);
    await cli('plan --out', ['plan', '--out', 'saved.plan'], 0);
  });

  it('apply runs app, and fails the two broken containers with messages that name them, not the values', async () => {
    const r = await cli('apply (plain progress)', ['apply', '-y'], 1);
    expect(r.stdout + r.stderr).toContain('container.baduser[m1]');
    expect(r.stdout + r.stderr).toMatch(/image\.\(sensitive\)#[0-9a-f]{12}\[m1\].*pull_policy is never/);
    // The engine's own error quotes the user it could not find: that is what is masked here.
    expect(r.stdout + r.stderr).toMatch(/user \(sensitive\)/i);
  });

  it('the values reached the engine as they are (so they really were used)', () => {
    const info = JSON.parse(docker(undefined, ['inspect', `${project}-app`]))[0] as {
      Config: { Env: string[]; Cmd: string[]; Entrypoint: string[]; Labels: Record<string, string>; Image: string };
      HostConfig: { CpuShares: number; Binds: string[]; Ulimits: { Name: string; Soft: number }[] };
    };
    expect(info.Config.Env).toContain(`TOKEN=${ALL_VARS.envv}`);
    expect(info.Config.Cmd).toEqual(['sh', '-c', 'sleep 3600', ALL_VARS.cmd]);
    expect(info.Config.Entrypoint).toEqual(['env', `X=${ALL_VARS.entry}`]);
    expect(info.Config.Labels.token).toBe(ALL_VARS.label);
    expect(info.Config.Image).toBe(`mfile-sec/img${R}:1`);
    expect(info.HostConfig.CpuShares).toBe(Number(shares));
    expect(info.HostConfig.Binds.join()).toContain(BIND_DIR);
    expect(info.HostConfig.Ulimits).toContainEqual(expect.objectContaining({ Name: 'nofile', Soft: Number(nofile) }));
  });

  it('a second apply with --json progress fails the same way; the image, on the engine before, is used and not recorded', async () => {
    // Without a refresh the image is not known to be there: its step runs, finds it, and records nothing (an image
    // mfile did not put there is not mfile's to remove); the plan names it only by its stand-in.
    await cli('apply --json', ['apply', '-y', '--json', '--refresh=false'], 1);
    const state = JSON.parse(readFileSync(path.join(dir, '.mfile', 'state.json'), 'utf8')) as { objects: Record<string, unknown> };
    expect(Object.keys(state.objects).filter((k) => k.startsWith('image.'))).toEqual([]);
    expect(existsSync(path.join(dir, '.mfile', 'state.json.backup'))).toBe(true);
  });

  it('validate, show, ls, env and a plan against what runs say nothing of them', async () => {
    await cli('validate', ['validate'], 0);
    await cli('validate --json', ['validate', '--json'], 0);
    await cli('show', ['show'], 0);
    await cli('show --json', ['show', '--json'], 0);
    await cli('ls', ['ls'], 0);
    await cli('ls --json', ['ls', '--json'], 0);
    // A local engine has no TCP endpoint to export: the error is a channel too.
    await cli('env', ['env', 'm1'], 1);
    await cli('plan (refreshed)', ['plan', '--detailed-exitcode'], 2);
    await cli('plan --json (refreshed)', ['plan', '--json'], 0);
  });

  it('destroy removes everything, with no value in its progress', async () => {
    await cli('destroy', ['destroy', '-y'], 0);
  });

  it('no value is in any channel or file', () => {
    expect(channels.length).toBeGreaterThan(20);
    const all = [...channels];
    for (const [file, text] of filesUnder(dir)) all.push([path.relative(dir, file), text]);
    expect(all.map(([c]) => c)).toEqual(expect.arrayContaining(['.mfile/state.json', '.mfile/state.json.backup', 'saved.plan']));
    expect(leaks(all, USES.filter((u) => !u.planOnly))).toEqual([]);
  });
});
