// logs and exec across two sandbox machines through the built CLI: one container on both machines, its output
// merged with a name[machine] prefix per line; exec refuses to guess which copy is meant, and runs where
// NAME[MACHINE] or --machine says. Needs root, docker.io, openssh-server, iproute2, iptables.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { cliProject, type CliProject } from '../helpers/cli-project.js';
import { ensureBuilt, mfile, REPO_ROOT } from '../helpers/cli.js';
import { describeNeeding, SANDBOX } from '../helpers/prerequisites.js';

const IMAGE = 'mfile-demo/busybox:1';

const CONFIG = `version: 1
project: mfd2m
machines:
  a: { driver: sandbox, sandbox: { subnet: 10.213.202.0/24 } }
  b: { driver: sandbox, sandbox: { subnet: 10.213.202.0/24 } }
containers:
  web:
    machines: [a, b]
    image: ${IMAGE}
    command: ["sh", "-c", "echo web up; echo web warns >&2; exec sleep 3600"]
    init: true
    stop_grace_period: 1s
`;

describeNeeding(SANDBOX)('logs and exec across two sandbox machines', () => {
  let p: CliProject;
  // logs takes -f as --follow, so the machines file is found in the project folder rather than named with -f.
  const inDir = (args: string[]): { code: number | null; out: string; stdout: string } => {
    const r = mfile(args, { cwd: p.dir, timeoutMs: 120_000 });
    return { code: r.code, out: r.stdout + r.stderr, stdout: r.stdout };
  };

  beforeAll(() => {
    ensureBuilt();
    execFileSync('bash', [path.join(REPO_ROOT, 'scripts/make-busybox-image.sh'), IMAGE]);
    p = cliProject('d2m');
    p.write(CONFIG);
    const r = p.run(['apply', '-y']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
  }, 600_000);

  afterAll(() => {
    if (p && existsSync(p.stateFile)) p.run(['destroy', '-y']);
  }, 300_000);

  it('logs merges the output of both copies, each line prefixed with name[machine]', () => {
    const r = inDir(['logs', 'web']);
    expect(r.code, r.out).toBe(0);
    const lines = r.stdout.split('\n').filter(Boolean).sort();
    expect(lines).toEqual(['web[a] | web up', 'web[a] | web warns', 'web[b] | web up', 'web[b] | web warns']);
    // One machine's copy by NAME[MACHINE].
    expect(inDir(['logs', 'web[b]']).stdout.split('\n').filter(Boolean).sort()).toEqual(['web[b] | web up', 'web[b] | web warns']);
  });

  it('exec refuses to guess between the two copies, in one line naming both', () => {
    const r = inDir(['exec', 'web', '--', 'true']);
    expect(r.code).toBe(1);
    expect(r.out.trim()).toBe('Error: container web runs on 2 machines: name one as NAME[MACHINE] or with --machine (web[a], web[b])');
  });

  it('exec runs on the machine --machine or NAME[MACHINE] names, and nowhere else', () => {
    const mark = inDir(['exec', '--machine', 'b', 'web', '--', 'sh', '-c', 'echo marked-on-b > /tmp/mark']);
    expect(mark.code, mark.out).toBe(0);
    expect(inDir(['exec', 'web[b]', '--', 'cat', '/tmp/mark']).stdout).toBe('marked-on-b\n');
    const onA = inDir(['exec', 'web[a]', '--', 'cat', '/tmp/mark']);
    expect(onA.code).toBe(1); // cat's own exit code: the file is not on a's copy
    const both = inDir(['exec', '--machine', 'a', 'web[b]', '--', 'true']);
    expect(both.code).toBe(1);
    expect(both.out.trim()).toBe('Error: web[b] and --machine a name different machines');
  });
});
