// Hostile input fuzz through the BUILT CLI: a sample of the variants (every huge, bomb, deep and long one,
// one of each other kind, and a seeded random fill) through `mfile validate` and `mfile plan --refresh=false`.
// A user must get exit 0 or 1, positioned lines or one `Error:` line, no stack trace, an answer within 5 s of
// CPU (wall time on a busy box only decides when a run is called hung), and the state file exactly as it was.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { StateStore, statePathFor } from '../../src/state/index.js';
import { ensureBuilt } from '../helpers/cli.js';
import { describeVariant, rng, runSeed, variants, type Variant } from './helpers/fuzz-corpus.js';
import { hangGuardMs, outputProblems, pool, runCli } from './helpers/fuzz-cli.js';

/** CPU time one validate or plan run may use on any variant. */
const CPU_BOUND_MS = 5000;
const SAMPLE = 60;
const SEED = runSeed();

let root: string;
/** A home whose ~/.ssh/id_ed25519 exists: plan runs the drivers' pre-create checks, and the example's generic
 *  machines name that key. Without it a valid file fails plan on this box's missing key, not on its content. */
let home: string;
beforeAll(() => {
  ensureBuilt();
  root = mkdtempSync(path.join(tmpdir(), 'mfile-fuzz-cli-'));
  home = path.join(root, 'home');
  mkdirSync(path.join(home, '.ssh'), { recursive: true, mode: 0o700 });
  writeFileSync(path.join(home, '.ssh', 'id_ed25519'), 'not a key: only its presence is checked before create\n', { mode: 0o600 });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Every special variant, one of each other kind, then a seeded random fill up to SAMPLE. */
function sample(all: Variant[]): Variant[] {
  const picked = new Map<number, Variant>();
  const perKind = new Map<string, number>();
  for (const v of all) {
    const have = perKind.get(v.kind) ?? 0;
    const want = v.kind.startsWith('huge-') ? 1 : v.special ? 2 : 1;
    if (have < want) (picked.set(v.index, v), perKind.set(v.kind, have + 1));
  }
  const r = rng(SEED ^ 0xc1);
  while (picked.size < SAMPLE) {
    const v = all[r.int(all.length)];
    picked.set(v.index, v);
  }
  return [...picked.values()];
}

async function fileBytes(p: string): Promise<Buffer | null> {
  return existsSync(p) ? readFileSync(p) : null;
}

it('validate and plan --refresh=false answer every sampled variant cleanly, without touching the state', async () => {
  const chosen = sample(variants(SEED, 2400));
  expect(chosen.length).toBeGreaterThanOrEqual(SAMPLE);
  for (const kind of ['huge-50mb-comment', 'huge-50mb-data', 'alias-bomb', 'deep-nesting', 'non-utf8', 'control-bytes', 'bom', 'tabs']) {
    expect(chosen.some((v) => v.kind === kind), kind).toBe(true);
  }

  const failures: string[] = [];
  const outcomes = { validOk: 0, invalid: 0 };
  const jobs = chosen.map((v, n) => async (): Promise<void> => {
    const dir = path.join(root, `v${v.index}`, 'proj');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'machines.yml'), v.bytes());
    const statePath = statePathFor(path.join(dir, 'machines.yml'));
    if (n % 2 === 0) {
      // Half the cases start with a real state file: its bytes must come out unchanged.
      const store = new StateStore(statePath);
      await store.write(await store.read());
    }
    const before = await fileBytes(statePath);
    for (const args of [['validate', '-f', 'machines.yml'], ['plan', '-f', 'machines.yml', '--refresh=false']]) {
      const r = await runCli(args, dir, hangGuardMs(CPU_BOUND_MS), { HOME: home });
      const bad = outputProblems(r, 'machines.yml', CPU_BOUND_MS);
      const after = await fileBytes(statePath);
      if (before === null ? after !== null : after === null || !before.equals(after)) bad.push(`the state file was ${before ? 'changed' : 'created'}`);
      if (existsSync(`${statePath}.lock`)) bad.push('left a state lock behind');
      if (v.mustLoad && r.code !== 0) bad.push(`a valid file was refused: ${r.stderr.slice(0, 200)}`);
      if (args[0] === 'validate') r.code === 0 ? outcomes.validOk++ : outcomes.invalid++;
      if (bad.length) failures.push(`${args[0]}: ${describeVariant(v, SEED)}: ${bad.join('; ')}`);
    }
    rmSync(path.dirname(dir), { recursive: true, force: true }); // the 50 MB files go at once
  });
  await pool(jobs, 2);
  console.log(`fuzz CLI seed ${SEED}: ${chosen.length} variants`, outcomes);
  expect(outcomes.validOk).toBeGreaterThan(0);
  expect(outcomes.invalid).toBeGreaterThan(SAMPLE / 3);
  expect(failures, `fuzz seed ${SEED}`).toEqual([]);
});
