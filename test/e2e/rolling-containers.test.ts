// A rolling update of a plain container on three sandbox machines (deploy.update_config.parallelism 1), as a user
// drives it: the plan shows the batches; while apply runs, a bounded poller asks every machine's published port
// and at every poll at least two machines answer; a new version whose health check fails is rolled back on the
// first machine, the old one keeps serving everywhere and apply fails naming the container and machine; once the
// file is fixed a rerun converges. Needs root, docker.io, openssh-server, iproute2, iptables.
import { mkdirSync, mkdtempSync, existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeNeeding, SANDBOX } from '../helpers/prerequisites.js';
import { ensureBuilt, mfile, mfileSpawn, REPO_ROOT } from '../helpers/cli.js';
import { ensureTestImages, TEST_IMAGE, TEST_IMAGE_2 } from '../helpers/image.js';

const MACHINES = ['r-1', 'r-2', 'r-3'];
const SUBNET = '10.213.170.0/24';
/** Bounds of the poller: it stops when apply ends, or after this many polls or this long, whichever is first. */
const MAX_POLLS = 3000;
const MAX_POLL_MS = 240_000;
const POLL_PACE_MS = 100;

function config(image: string, healthPort = 80, version = '1'): string {
  return `version: 1
project: rollct
machines:
${MACHINES.map((m) => `  ${m}: { driver: sandbox, sandbox: { subnet: ${SUBNET} } }`).join('\n')}
containers:
  web:
    machines: [${MACHINES.join(', ')}]
    image: ${image}
    # Serves two seconds after it starts, as a real server that loads first: replacing every machine at once
    # would leave none answering for a while.
    command: ["sh", "-c", "sleep 2; exec httpd -f -p 80 -h /www"]
    environment: { VERSION: "${version}" }
    ports: ["8080:80"]
    stop_grace_period: 1s
    healthcheck: { test: ["CMD-SHELL", "echo | nc -w 1 127.0.0.1 ${healthPort}"], interval: 1s, timeout: 2s, retries: 3, start_period: 10s }
    deploy:
      update_config: { parallelism: 1, order: start-first, failure_action: rollback, monitor: 1s }
`;
}

/** What each machine's port 8080 answers (the page body), or null when it does not answer. */
async function answers(ips: string[]): Promise<(string | null)[]> {
  return Promise.all(
    ips.map(async (ip) => {
      try {
        const r = await fetch(`http://${ip}:8080/`, { signal: AbortSignal.timeout(2000) });
        return r.ok ? (await r.text()).trim() : null;
      } catch {
        return null;
      }
    }),
  );
}

describeNeeding(SANDBOX)('rolling update of a plain container on three sandbox machines', () => {
  let dir = '';
  let ips: string[] = [];
  const run = (args: string[], timeoutMs = 300_000) => mfile([args[0], '-f', 'machines.yml', ...args.slice(1)], { cwd: dir, timeoutMs });
  const write = (text: string): void => writeFileSync(path.join(dir, 'machines.yml'), text);

  /** Runs `mfile apply -y` while polling every machine; returns its exit code, output and every poll's answers. */
  async function applyWhilePolling(): Promise<{ code: number | null; out: string; polls: (string | null)[][] }> {
    const child = mfileSpawn(['apply', '-f', 'machines.yml', '-y'], { cwd: dir });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    let done = false;
    void exited.then(() => (done = true));
    const polls: (string | null)[][] = [];
    const until = Date.now() + MAX_POLL_MS;
    while (!done && polls.length < MAX_POLLS && Date.now() < until) {
      polls.push(await answers(ips));
      await sleep(POLL_PACE_MS); // pacing, not synchronisation: a refused connection returns at once
    }
    // Only a run past the time bound is interrupted; past the count bound apply is left to finish.
    if (!done && Date.now() >= until) child.kill('SIGINT');
    return { code: await exited, out: child.out(), polls };
  }

  beforeAll(() => {
    ensureBuilt();
    ensureTestImages();
    const base = path.join(REPO_ROOT, '.test-work');
    mkdirSync(base, { recursive: true, mode: 0o700 });
    dir = mkdtempSync(path.join(base, 'rollct-'));
    write(config(TEST_IMAGE));
    const r = run(['apply', '-y'], 600_000);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    ips = MACHINES.map((m) => {
      const ip = run(['ip', m], 30_000);
      expect(ip.code, ip.stderr).toBe(0);
      return ip.stdout.trim();
    });
  }, 660_000);

  afterAll(() => {
    if (existsSync(path.join(dir, '.mfile/state.json'))) run(['destroy', '-y'], 600_000);
  }, 660_000);

  it('serves version 1 on every machine', async () => {
    // apply returns once the containers run (as `docker compose up -d` does); each server starts answering two
    // seconds later, so the check waits for that, bounded.
    const want = MACHINES.map(() => 'mfile test 1');
    let got = await answers(ips);
    for (const until = Date.now() + 60_000; JSON.stringify(got) !== JSON.stringify(want) && Date.now() < until; got = await answers(ips)) {
      await sleep(POLL_PACE_MS);
    }
    expect(got).toEqual(want);
  });

  it('plans the update one machine per batch, falling back to stop-first for the published port', () => {
    write(config(TEST_IMAGE_2));
    const r = run(['plan']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('  # rolling update: batch 1 of 3, monitor 1s, on failure rollback\n');
    expect(r.stdout).toContain('  # rolling update: batch 2 of 3 (after container.web[r-1]), monitor 1s, on failure rollback\n');
    expect(r.stdout).toContain('  # rolling update: batch 3 of 3 (after container.web[r-2]), monitor 1s, on failure rollback\n');
    expect(r.stdout).toContain('update_config.order start-first falls back to stop-first (published port 8080)');
  });

  it('updates one machine at a time: at every poll at least two machines answer', async () => {
    const { code, out, polls } = await applyWhilePolling();
    expect(code, out).toBe(0);
    expect(polls.length).toBeGreaterThan(0);
    const short = polls.filter((p) => p.filter((a) => a !== null).length < 2);
    expect(short, `polls with fewer than two answers: ${JSON.stringify(short.slice(0, 3))}`).toEqual([]);
    // The poller saw the update under way: both versions served at once.
    expect(polls.some((p) => p.includes('mfile test 1') && p.includes('mfile test 2'))).toBe(true);
    expect(await answers(ips)).toEqual(MACHINES.map(() => 'mfile test 2'));
  }, 300_000);

  it('a new version that fails its health check is rolled back on the first machine; the old one keeps serving', async () => {
    write(config(TEST_IMAGE_2, 81, '3'));
    const { code, out, polls } = await applyWhilePolling();
    expect(code, out).not.toBe(0);
    expect(out).toMatch(/rolling update of container web failed on machine r-1: .*unhealthy.*; the previous container was put back and runs; the update stopped/);
    expect(out).toContain('container.web[r-2]');
    const short = polls.filter((p) => p.filter((a) => a !== null).length < 2);
    expect(short, `polls with fewer than two answers: ${JSON.stringify(short.slice(0, 3))}`).toEqual([]);
    expect(await answers(ips)).toEqual(MACHINES.map(() => 'mfile test 2'));
    // The state is still valid: the plan still wants to replace web on each machine, and nothing else.
    const plan = run(['plan']);
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toMatch(/^Plan: 3 to add, 0 to change, 3 to destroy\.$/m);
  }, 300_000);

  it('after the file is fixed, a rerun converges', async () => {
    write(config(TEST_IMAGE_2, 80, '3'));
    const r = run(['apply', '-y']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(await answers(ips)).toEqual(MACHINES.map(() => 'mfile test 2'));
    const again = run(['plan']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('No changes.');
  }, 300_000);
});
