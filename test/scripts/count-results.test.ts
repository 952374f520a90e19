// scripts/count-results.mjs over real vitest 4 JSON reports: the fixture run has a pass, a failure, a file that
// does not load, a suite whose setup throws, five tests skipped five ways, and a suite that needs a missing
// prerequisite (skipped on a developer's box, a named failure under CI=true).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/cli.js';

const dir = mkdtempSync(path.join(tmpdir(), 'mfile-count-'));

function fixtureRun(ci: string): { report: string; output: string } {
  const report = path.join(dir, `report-ci-${ci || 'unset'}.json`);
  const r = spawnSync(
    process.execPath,
    [path.join(REPO_ROOT, 'node_modules/vitest/vitest.mjs'), 'run', '--config', 'test/scripts/fixtures/vitest.config.ts', '--reporter=json', `--outputFile.json=${report}`],
    { cwd: REPO_ROOT, env: { ...process.env, CI: ci }, encoding: 'utf8' },
  );
  return { report, output: r.stdout + r.stderr };
}

function run(...reports: string[]): string[] {
  const r = spawnSync(process.execPath, [path.join(REPO_ROOT, 'scripts/count-results.mjs'), ...reports], { cwd: REPO_ROOT, encoding: 'utf8' });
  return r.stdout.trimEnd().split('\n');
}

// The count is always the last line; the lines above it name what failed.
function count(...reports: string[]): string[] {
  return run(...reports).slice(-1);
}

describe('count-results', () => {
  let local = '';
  let ci = '';
  beforeAll(() => {
    local = fixtureRun('').report;
    ci = fixtureRun('true').report;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('counts skipped, todo and condition-skipped tests, and a broken file or failed setup as failed', () => {
    expect(count(local)).toEqual(['1 passed, 3 failed, 8 skipped']);
  });

  it('under CI=true a missing prerequisite is a failure, not two skips', () => {
    expect(count(ci)).toEqual(['1 passed, 4 failed, 6 skipped']);
  });

  it('adds up several reports', () => {
    expect(count(local, ci)).toEqual(['2 passed, 7 failed, 14 skipped']);
  });

  it('names each failure above the count, by file and test, with the first line of its message', () => {
    const lines = run(local);
    expect(lines.slice(0, -1).sort()).toEqual([
      'FAILED test/scripts/fixtures/broken.fixture.ts: this file does not load',
      'FAILED test/scripts/fixtures/failing.fixture.ts > fails: AssertionError: expected 1 to be 2 // Object.is equality',
      'FAILED test/scripts/fixtures/hook.fixture.ts: failed outside its tests (a hook, or the file itself)',
    ]);
    expect(run(ci).filter((line) => line.startsWith('FAILED test/scripts/fixtures/needing.fixture.ts'))).toHaveLength(1);
  });

  it('a missing or unreadable report counts as one failure', () => {
    const garbage = path.join(dir, 'garbage.json');
    writeFileSync(garbage, '{"not": "a report"');
    const missing = path.join(dir, 'missing.json');
    expect(run(missing, garbage)).toEqual([`FAILED ${missing}: no vitest JSON report`, `FAILED ${garbage}: no vitest JSON report`, '0 passed, 2 failed, 0 skipped']);
  });
});
