// SIGKILL `mfile apply` in the one window random kills rarely hit: the sandbox machine's init is running but its
// pids are not in the state yet (the record is still pending with no driver data). Neither the next apply nor a
// destroy right after the crash may leave that init (unshare, tini, sshd) or its address behind.
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeNeeding, SANDBOX } from '../helpers/prerequisites.js';
import { ensureCliBuilt, sleep } from './helpers/cli-process.js';
import { ensureTestImage, TEST_IMAGE } from './helpers/docker.js';
import { LOCK_TAKEOVER, uniqueProject } from './helpers/project.js';
import { netnsList, projectNetns, removeProjectDir, sandboxProject, type SandboxProject } from './helpers/sandbox-project.js';
import { claimedAddresses, processesMentioning } from './helpers/sandbox-leftovers.js';

/** Its own subnet: 10.213.41-43 belong to suites that may run at the same time. */
const SUBNET = '10.213.44.0/24';

describeNeeding(SANDBOX)('SIGKILL after the sandbox init started, before its pids were saved', () => {
  let p: SandboxProject;

  beforeAll(() => {
    ensureCliBuilt();
    ensureTestImage();
    p = sandboxProject('crashinit');
    p.write(
      [
        'version: 1',
        `project: ${uniqueProject('mfrcinit')}`,
        'machines:',
        `  s1: { driver: sandbox, sandbox: { subnet: ${SUBNET} } }`,
        'containers:',
        '  web:',
        '    machine: s1',
        `    image: ${TEST_IMAGE}`,
        '    command: ["httpd", "-f", "-p", "80", "-h", "/www"]',
        '    network_mode: none',
        '    stop_grace_period: 1s',
        '',
      ].join('\n'),
    );
  }, 300_000);

  const cleanSlate = async (): Promise<void> => {
    await p.cli(['destroy', '-y'], { timeoutMs: 240_000 }).catch(() => undefined);
    for (const pid of processesMentioning(p.dir)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone meanwhile
      }
    }
  };

  afterAll(async () => {
    if (!p) return;
    await cleanSlate();
    removeProjectDir(p);
  }, 300_000);

  /**
   * Start an apply and SIGKILL it as soon as the machine's init process exists. The next command takes over the
   * lock it left: the function returned checks, on that command's stderr, that it said so naming the killed pid.
   */
  async function crashAtInit(): Promise<(out: string) => void> {
    const script = path.join(p.stateDir, 'machines', 's1', 'init.sh');
    // An init left by an earlier failed test must not pass for this run's.
    const before = new Set(processesMentioning(script));
    const fresh = (): number[] => processesMentioning(script).filter((pid) => !before.has(pid));
    const run = p.start(['apply', '-y']);
    const deadline = Date.now() + 120_000;
    while (!fresh().length && run.child.exitCode === null && Date.now() < deadline) await sleep(10);
    run.child.kill('SIGKILL');
    await run.exited;
    expect(fresh().length, `the init was running when mfile died: ${run.stdout()}${run.stderr()}`).toBeGreaterThan(0);
    return (out) => expect(LOCK_TAKEOVER.exec(out)?.[1], out).toBe(String(run.pid));
  }

  it('the next apply stops the unrecorded init: only the recorded machine runs', async () => {
    const tookOver = await crashAtInit();
    const r = await p.cli(['apply', '-y'], { timeoutMs: 300_000 });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    tookOver(r.stderr);
    const d = p.data('s1');
    // unshare + tini of exactly one machine, the recorded one (its sshd runs under that tini)
    const inits = processesMentioning(path.join(p.stateDir, 'machines', 's1', 'init.sh'));
    expect(inits.sort()).toEqual([d.outerPid, d.initPid].sort());
    const r2 = await p.cli(['destroy', '-y'], { timeoutMs: 240_000 });
    expect(r2.code, r2.stdout + r2.stderr).toBe(0);
    expect(processesMentioning(p.dir)).toEqual([]);
  }, 600_000);

  it('a destroy right after the crash leaves no process, namespace or address', async () => {
    await cleanSlate(); // whatever the first test left when it failed
    const tookOver = await crashAtInit();
    const r = await p.cli(['destroy', '-y'], { timeoutMs: 240_000 });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    tookOver(r.stderr);
    expect(processesMentioning(p.dir)).toEqual([]);
    expect(netnsList()).not.toContain(projectNetns(p, ['s1'])[0]);
    expect(claimedAddresses(p.stateDir)).toEqual([]);
  }, 600_000);
});
