// Real processes racing for the same lock file.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LockError } from '../../src/errors.js';
import { StateStore, forceUnlock } from '../../src/state/index.js';
import { firstLine, lineReader, run } from './helpers/child.js';
import { compileStateModule, fixture, removeCompiled } from './helpers/compile-state.js';
import { tmpDir } from './helpers/tmp.js';

let mod = '';
beforeAll(() => {
  mod = compileStateModule();
}, 120_000);
afterAll(() => removeCompiled(mod));

interface RaceResult { ok: boolean; pid: number; id?: string; who?: string; name?: string; message?: string }

describe('lock between processes', () => {
  it('lets exactly one of three racing processes win; the others name the winner', async () => {
    for (let round = 0; round < 3; round++) {
      const statePath = path.join(tmpDir(), '.mfile', 'state.json');
      const racers = [0, 1, 2].map(() => run(fixture('lock-race.mjs'), [mod, statePath]));
      const out = racers.map((r) => lineReader(r.child));
      // A barrier: every racer has loaded the module before any of them is told to go.
      expect(await Promise.all(out.map((next) => next()))).toEqual(['ready', 'ready', 'ready']);
      for (const r of racers) r.child.stdin!.write('go\n');
      const results = (await Promise.all(out.map((next) => next()))).map((l) => JSON.parse(l) as RaceResult);
      for (const r of racers) r.child.stdin!.end(); // now the winner may release
      const finished = await Promise.all(racers.map((r) => r.done));
      for (const f of finished) expect(f.stderr).toBe('');
      const winners = results.filter((r) => r.ok);
      expect(winners).toHaveLength(1);
      const w = winners[0]!;
      for (const loser of results.filter((r) => !r.ok)) {
        expect(loser.name).toBe('LockError');
        expect(loser.message).toMatch(/^state is locked by .+@.+ \(apply, since \S+, lock id [0-9a-f-]{36}\)$/);
        expect(loser.message).toContain(`state is locked by ${w.who} (apply,`);
        expect(loser.message).toContain(`lock id ${w.id})`);
      }
      expect(fs.existsSync(`${statePath}.lock`)).toBe(false); // the winner released it
    }
  }, 60_000);

  it('keeps the lock of a killed holder, hints unlock, and frees it with that id', async () => {
    const statePath = path.join(tmpDir(), '.mfile', 'state.json');
    const holder = run(fixture('hold-lock.mjs'), [mod, statePath]);
    const info = JSON.parse(await firstLine(holder.child)) as { id: string; pid: number };

    const whileAlive = (await new StateStore(statePath).lock('apply').catch((e: unknown) => e)) as Error;
    expect(whileAlive).toBeInstanceOf(LockError);
    expect(whileAlive.message).not.toContain('mfile state unlock');

    holder.child.kill('SIGKILL');
    await holder.done;
    const afterDeath = (await new StateStore(statePath).lock('apply').catch((e: unknown) => e)) as Error;
    expect(afterDeath).toBeInstanceOf(LockError);
    expect(afterDeath.message).toContain(`process ${info.pid} that took it is no longer running`);
    expect(afterDeath.message).toContain(`mfile state unlock ${info.id}`);

    await forceUnlock(statePath, info.id);
    const mine = await new StateStore(statePath).lock('apply');
    await mine.release();
  }, 30_000);
});
