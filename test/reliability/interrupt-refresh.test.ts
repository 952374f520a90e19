// Ctrl-C or SIGTERM while `mfile plan` is refreshing (an engine that has taken the request and not answered):
// exit 130, the state lock is gone, the state is untouched, and the next plan runs without a "locked" error.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ensureCliBuilt, runCliAsync, startCli, type CliProcess } from './helpers/cli-process.js';
import { startEngineProxy, type EngineProxy } from './helpers/engine-proxy.js';
import { noneMachine, projectDir, uniqueProject } from './helpers/project.js';

const started: CliProcess[] = [];

beforeAll(() => ensureCliBuilt(), 300_000);

afterAll(() => {
  for (const p of started) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
});

describe('a signal while plan waits on an engine during refresh', () => {
  const project = uniqueProject('mfrsig');
  const p = projectDir('interrupt-refresh');
  let proxy: EngineProxy;
  let stateBefore: string;

  beforeAll(async () => {
    // driver none in front of the root engine: it adopts the engine and makes nothing, so there is nothing to clean.
    proxy = await startEngineProxy();
    const m = noneMachine('wedged', proxy.url, 'unix:///var/run/docker.sock');
    p.write(`version: 1\nproject: ${project}\nmachines:\n  ${m.name}: ${m.yaml}\n`);
    // Async: the engine's proxy lives in this process, so a blocking spawn would starve it.
    const applied = await runCliAsync(['apply', '-y', '-f', p.file]);
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);
    stateBefore = readFileSync(p.statePath, 'utf8');
  }, 300_000);

  afterAll(async () => {
    await proxy?.close();
    rmSync(p.dir, { recursive: true, force: true });
  });

  /** From now on the engine answers its ping, then takes every other request and never answers. */
  function wedgeAfterPing(): Promise<void> {
    return new Promise((resolve) => {
      proxy.setFault((req) => {
        if ((req.url ?? '').includes('/_ping')) return false;
        resolve(); // plan is past the lock and the driver status, inside the refresh's engine calls
        return 'hang';
      });
    });
  }

  // Each case on its own: a lock one failed case left must not fail the next.
  afterEach(() => rmSync(p.lockPath, { force: true }));

  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    it(`${sig}: exit 130, no lock left, state unchanged, the next plan runs`, async () => {
      const wedged = wedgeAfterPing();
      const run = startCli(['plan', '-f', p.file]);
      started.push(run);
      const ended = run.exited.then((r) => `plan ended before the refresh reached the engine:\n${r.stdout}${r.stderr}`);
      const first = await Promise.race([wedged.then(() => undefined), ended]);
      expect(first).toBeUndefined();
      expect(existsSync(p.lockPath), 'plan holds the lock while refreshing').toBe(true);

      run.child.kill(sig);
      const r = await run.exited;
      expect({ code: r.code, signal: r.signal }, r.stdout + r.stderr).toEqual({ code: 130, signal: null });
      expect(r.stderr).toContain(`${sig} received`);
      expect(existsSync(p.lockPath), 'lock file left behind').toBe(false);
      expect(readFileSync(p.statePath, 'utf8')).toBe(stateBefore);

      proxy.setFault(null);
      const next = await runCliAsync(['plan', '--detailed-exitcode', '-f', p.file]);
      expect(next.stdout + next.stderr).not.toMatch(/locked/);
      expect(next.code, next.stdout + next.stderr).toBe(0);
      expect(next.stdout).toContain('No changes.');
    }, 120_000);
  }
});
