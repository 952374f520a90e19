// Hostile input fuzz, in process: 2,000+ seeded variants of valid machines.yml files must each end within 5 s
// with a Desired or a ConfigError whose every issue is positioned (file, line >= 1, col >= 1) and one line long.
// Reproduce a failure: MFILE_FUZZ_SEED=<seed> MFILE_FUZZ_ONLY=<index> npx vitest run -c vitest.reliability.config.ts fuzz-config
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ensureBuilt } from '../helpers/cli.js';
import { describeVariant, runSeed, variants, type Variant } from './helpers/fuzz-corpus.js';
import { FuzzLoader, type LoadOutcome } from './helpers/fuzz-loader.js';

const COUNT = Number(process.env.MFILE_FUZZ_COUNT ?? 2400);
// The bound is 5 s of CPU per load (the worker's CPU, which other work on the box does not inflate); wall time only
// decides when a load is called hung, at many times the bound.
const LIMIT_MS = 5000;
const HANG_MS = LIMIT_MS * 12;
const SEED = runSeed();
const ONLY = process.env.MFILE_FUZZ_ONLY === undefined ? undefined : Number(process.env.MFILE_FUZZ_ONLY);

const MACHINE_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;
const OBJECT_NAME = /^[a-z0-9][a-z0-9_.-]{0,62}$/;

let dir: string;
const loader = new FuzzLoader();

beforeAll(() => {
  ensureBuilt();
  dir = path.join(mkdtempSync(path.join(tmpdir(), 'mfile-fuzz-')), 'fuzzproj');
  mkdirSync(dir);
});
afterAll(async () => {
  await loader.close();
  rmSync(path.dirname(dir), { recursive: true, force: true });
});

/** What is wrong with one outcome, or [] when it keeps every promise. */
function problems(v: Variant, file: string, o: LoadOutcome, lineCount: number): string[] {
  const out: string[] = [];
  if (o.result === 'hung') out.push(`hung: no answer after ${HANG_MS} ms of wall time`);
  else if (o.cpuMs === undefined) out.push('its CPU time could not be read');
  else if (o.cpuMs >= LIMIT_MS) out.push(`used ${Math.round(o.cpuMs)} ms of CPU (wall ${Math.round(o.ms)} ms)`);
  if (o.result === 'other-error') out.push(`threw something other than ConfigError: ${o.error}`);
  if (o.warnings.length) out.push(`emitted process warnings (they reach stderr): ${o.warnings.join(' | ')}`);
  if (o.result === 'config-error') {
    if (!o.issues?.length) out.push('ConfigError without issues');
    for (const i of o.issues ?? []) {
      const where = `${String(i.line)}:${String(i.col)}`;
      if (i.file !== file) out.push(`issue names file ${String(i.file)}`);
      if (!Number.isInteger(i.line) || (i.line as number) < 1 || (i.line as number) > lineCount + 1) out.push(`issue line out of range: ${where}`);
      if (!Number.isInteger(i.col) || (i.col as number) < 1) out.push(`issue column out of range: ${where}`);
      if (typeof i.message !== 'string' || !i.message.trim()) out.push(`issue at ${where} has no message`);
      else if (/[\r\n\u0085\u2028\u2029]/.test(i.message)) out.push(`issue at ${where} spans lines: ${JSON.stringify(i.message.slice(0, 200))}`);
    }
  }
  if (v.mustLoad && o.result !== 'ok') out.push(`a still-valid file was refused: ${JSON.stringify(o.issues ?? o.error)?.slice(0, 400)}`);
  if (o.result === 'ok' && o.names) {
    // A file that loads must not let a name through that escapes a folder or breaks an engine name.
    const n = o.names;
    if (!/^[a-z0-9][a-z0-9_-]{0,62}$/.test(n.project)) out.push(`accepted project name ${JSON.stringify(n.project)}`);
    for (const m of n.machines) if (!MACHINE_NAME.test(m)) out.push(`accepted machine name ${JSON.stringify(m)}`);
    for (const x of [...n.networks, ...n.volumes]) if (!OBJECT_NAME.test(x)) out.push(`accepted name ${JSON.stringify(x)}`);
    // Replicas add -N to a valid name.
    for (const c of n.containers) if (!/^[a-z0-9][a-z0-9_.-]{0,62}(-[0-9]+)?$/.test(c)) out.push(`accepted container name ${JSON.stringify(c)}`);
  }
  return out;
}

it(`loads ${COUNT} hostile variants: success or a positioned ConfigError, each within ${LIMIT_MS} ms`, async () => {
  const all = variants(SEED, COUNT).filter((v) => ONLY === undefined || v.index === ONLY);
  const failures: string[] = [];
  const stats = { ok: 0, 'config-error': 0, 'other-error': 0, hung: 0 };
  const slowest: { ms: number; what: string }[] = [];
  let genCpuMs = 0;
  const cpu0 = process.cpuUsage();
  for (const v of all) {
    const g0 = process.cpuUsage();
    const bytes = v.bytes();
    const g = process.cpuUsage(g0);
    genCpuMs += (g.user + g.system) / 1000;
    const file = path.join(dir, 'machines.yml');
    writeFileSync(file, bytes);
    const outcome = await loader.load(file, HANG_MS);
    stats[outcome.result]++;
    slowest.push({ ms: outcome.ms, what: `${v.kind}#${v.index} (CPU ${Math.round(outcome.cpuMs ?? 0)} ms)` });
    let lineCount = 0;
    for (const b of bytes) if (b === 0x0a) lineCount++;
    const bad = problems(v, file, outcome, lineCount + 1);
    if (bad.length) failures.push(`${describeVariant(v, SEED)}: ${bad.slice(0, 3).join('; ')}`);
  }
  slowest.sort((a, b) => b.ms - a.ms);
  const cpu = process.cpuUsage(cpu0);
  console.log(`fuzz seed ${SEED}: ${all.length} variants, CPU ${Math.round((cpu.user + cpu.system) / 1000)} ms (generating ${Math.round(genCpuMs)} ms)`, stats, 'slowest:', slowest.slice(0, 5).map((s) => `${s.what} ${Math.round(s.ms)}ms`).join(', '));
  // Enough variants really reached each outcome: a generator that only makes garbage proves little.
  if (ONLY === undefined) {
    expect(all.length).toBeGreaterThanOrEqual(2000);
    expect(stats.ok).toBeGreaterThan(100);
    expect(stats['config-error']).toBeGreaterThan(1000);
  }
  expect(failures, `fuzz seed ${SEED}`).toEqual([]);
});
