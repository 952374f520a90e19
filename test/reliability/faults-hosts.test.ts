// One of three sandbox machines fails: its sshd killed or its link set down right before an apply, its dockerd
// killed during one. Each time the apply ends with exit 1 within a bound (no hang), the error names the machine
// and the step, the other two machines' containers all run the new config, state.json stays valid; once the
// fault is lifted a rerun converges (apply exit 0, then plan --detailed-exitcode exit 0). A dockerd that died
// before an apply is started again by that apply's re-provisioning.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeNeeding, SANDBOX } from '../helpers/prerequisites.js';
import { CALL_TIMEOUT_MS } from '../../src/apply/steps/common.js';
import { ensureCliBuilt } from './helpers/cli-process.js';
import { ensureTestImage, TEST_IMAGE } from './helpers/docker.js';
import { readStateFile, uniqueProject } from './helpers/project.js';
import {
  destroyProject,
  dockerOn,
  killPids,
  machinePids,
  netnsList,
  projectNetns,
  projectPids,
  removeProjectDir,
  restartSshd,
  sandboxProject,
  stillAlive,
  type SandboxProject,
} from './helpers/sandbox-project.js';

const MACHINES = ['f1', 'f2', 'f3'];
const CONTAINERS = MACHINES.flatMap((m) => [`a-${m}`, `b-${m}`]);
/**
 * No hang: after the fault, an unreachable machine must fail within one engine-call timeout (CALL_TIMEOUT_MS;
 * the SSH wait alone is 20 s). A guard, measured from the fault, never a speed target.
 */
const BOUND_MS = CALL_TIMEOUT_MS;

/** `gen` goes into every container's environment; `label` (when set) into every engine's labels (a re-provision). */
function config(project: string, gen: number, label?: number): string {
  const out = ['version: 1', `project: ${project}`, 'machines:'];
  for (const m of MACHINES) out.push(`  ${m}: { driver: sandbox${label === undefined ? '' : `, engine: { labels: { gen: "${label}" } }`} }`);
  out.push('containers:');
  for (const c of CONTAINERS) {
    const first = c.startsWith('a-');
    out.push(
      `  ${c}:`,
      `    machine: ${c.slice(2)}`,
      `    image: ${TEST_IMAGE}`,
      // a-M turns healthy ~2 s after it starts and b-M waits for that: work stays in flight on every machine.
      first
        ? '    command: ["sh", "-c", "sleep 2; touch /tmp/ready; exec httpd -f -p 80 -h /www"]'
        : '    command: ["httpd", "-f", "-p", "80", "-h", "/www"]',
      ...(first
        ? ['    healthcheck: { test: ["CMD", "test", "-f", "/tmp/ready"], interval: 500ms, timeout: 2s, retries: 30 }']
        : [`    depends_on: { a-${c.slice(2)}: { condition: service_healthy } }`]),
      `    environment: { GEN: "${gen}" }`,
      '    restart: unless-stopped',
      '    stop_grace_period: 1s',
    );
  }
  return out.join('\n') + '\n';
}

describeNeeding(SANDBOX)('faults on one of three sandbox machines', () => {
  const project = uniqueProject('mfrflt');
  let p: SandboxProject;
  let gen = 0;
  let label = 0;
  const pids = new Set<number>();

  /** name -> [state, GEN] of the project's containers on a healthy machine. */
  const containersOn = (m: string): Record<string, [string, string]> => {
    const out = dockerOn(p, m, ['ps', '-a', '--filter', `label=io.mfile.project=${project}`, '--format', '{{.Label "io.mfile.name"}}\t{{.State}}\t{{.ID}}']);
    const res: Record<string, [string, string]> = {};
    for (const line of out.split('\n').filter(Boolean)) {
      const [name, state, id] = line.split('\t');
      const env = JSON.parse(dockerOn(p, m, ['inspect', '--format', '{{json .Config.Env}}', id])) as string[];
      res[name] = [state, env.find((e) => e.startsWith('GEN='))?.slice(4) ?? ''];
    }
    return res;
  };

  const rememberPids = (): void => projectPids(p).forEach((pid) => pids.add(pid));

  beforeAll(async () => {
    ensureCliBuilt();
    ensureTestImage();
    p = sandboxProject('faults');
    p.write(config(project, gen, label));
    const r = await p.cli(['apply', '-y'], { timeoutMs: 400_000 });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    rememberPids();
  }, 500_000);

  afterAll(async () => {
    if (!p) return;
    try {
      rememberPids();
      const r = await destroyProject(p, MACHINES);
      expect(r?.code, r ? r.stdout + r.stderr : 'destroy did not run').toBe(0);
      const left = netnsList();
      for (const ns of projectNetns(p, MACHINES)) expect(left).not.toContain(ns);
      expect(stillAlive([...pids])).toEqual([]);
    } finally {
      removeProjectDir(p);
    }
  }, 300_000);

  /**
   * Apply a new generation (and new engine labels when `reprovision`) with a fault on `victim`: injected before
   * the apply, or during it once `during` matches an output line. Then check the failure, lift the fault, and
   * check that a rerun converges.
   */
  async function scenario(
    victim: string,
    opts: { reprovision: boolean; inject: () => void; during?: RegExp; lift: () => void; message: RegExp },
  ): Promise<void> {
    gen += 1;
    if (opts.reprovision) label += 1;
    p.write(config(project, gen, label));
    if (!opts.during) opts.inject();
    const run = p.start(['apply', '-y']);
    if (opts.during) {
      await run.waitForLine(opts.during, 120_000);
      opts.inject();
    }
    const killer = setTimeout(() => run.child.kill('SIGKILL'), BOUND_MS);
    const r = await run.exited.finally(() => clearTimeout(killer));
    const out = r.stdout + r.stderr;
    expect(r.signal, `apply still running ${BOUND_MS} ms after the fault: a hang?\n${out}`).toBeNull();
    expect(r.code, out).toBe(1);
    // The error names the machine and the step (an address on that machine), with a reason.
    const failed = out.split('\n').filter((l) => l.startsWith('Failed: '));
    expect(failed.length, out).toBeGreaterThan(0);
    for (const l of failed) expect(l, out).toMatch(new RegExp(`^Failed: (machine\\.${victim}|container\\.[ab]-${victim}\\[${victim}\\]): `));
    expect(failed.some((l) => l.includes(victim) && opts.message.test(l)), out).toBe(true);
    // Nothing on the healthy machines was held back.
    for (const m of MACHINES.filter((x) => x !== victim)) {
      expect(containersOn(m), `containers on ${m}`).toEqual({ [`a-${m}`]: ['running', String(gen)], [`b-${m}`]: ['running', String(gen)] });
    }
    readStateFile(p.statePath);

    opts.lift();
    await expectConverges(victim);
  }

  async function expectConverges(victim: string): Promise<void> {
    const again = await p.cli(['apply', '-y'], { timeoutMs: 300_000 });
    expect(again.code, again.stdout + again.stderr).toBe(0);
    const plan = await p.cli(['plan', '--detailed-exitcode']);
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);
    expect(containersOn(victim)).toEqual({ [`a-${victim}`]: ['running', String(gen)], [`b-${victim}`]: ['running', String(gen)] });
    rememberPids();
  }

  const killDockerd = (victim: string) => (): void => {
    const dockerd = machinePids(p.data(victim).initPid!, 'dockerd');
    expect(dockerd.length).toBe(1);
    process.kill(dockerd[0], 'SIGKILL');
  };

  it("(a) the machine's sshd killed", async () => {
    const victim = 'f2';
    await scenario(victim, {
      reprovision: true,
      inject: () => {
        const sshd = machinePids(p.data(victim).initPid!, 'sshd');
        expect(sshd.length).toBeGreaterThan(0);
        killPids(sshd, 'SIGKILL');
      },
      lift: () => restartSshd(p, victim),
      message: /SSH to root@10\.213\.0\.\d+:22 did not answer/,
    });
  }, 600_000);

  it("(b) the machine's link set down", async () => {
    const victim = 'f3';
    const netns = p.data(victim).netns;
    await scenario(victim, {
      reprovision: true,
      inject: () => execFileSync('ip', ['-n', netns, 'link', 'set', 'eth0', 'down']),
      lift: () => execFileSync('ip', ['-n', netns, 'link', 'set', 'eth0', 'up']),
      message: /SSH to root@10\.213\.0\.\d+:22 did not answer|unreachable|EHOSTUNREACH|timed out/,
    });
  }, 600_000);

  it("(c) the machine's dockerd killed during the apply", async () => {
    const victim = 'f1';
    await scenario(victim, {
      reprovision: false,
      during: new RegExp(`container\\.a-${victim}\\[${victim}\\] replacing`),
      inject: killDockerd(victim),
      lift: () => undefined, // nothing by hand: the next apply must start the engine again
      message: /ECONNREFUSED|ECONNRESET|does not answer|closed the connection|unreachable|connect|socket hang up/,
    });
  }, 600_000);

  it("(c') the machine's dockerd killed before the apply: that apply starts it again", async () => {
    const victim = 'f3';
    gen += 1;
    p.write(config(project, gen, label));
    killDockerd(victim)();
    const plan = await p.cli(['plan']);
    expect(plan.stdout).toMatch(new RegExp(`machine\\.${victim} will be updated`));
    expect(plan.stdout).toContain('engine does not answer');
    await expectConverges(victim);
  }, 600_000);
});
