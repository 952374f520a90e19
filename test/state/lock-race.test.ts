// Real processes racing for the same lock file.
import fs from 'node:fs';
import os from 'node:os';
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
        expect(loser.message).toMatch(/^state is locked by .+@.+, process \d+ \(apply, since \S+, lock id [0-9a-f-]{36}\)$/);
        expect(loser.message).toContain(`state is locked by ${w.who}, process ${w.pid} (apply,`);
        expect(loser.message).toContain(`lock id ${w.id})`);
      }
      expect(fs.existsSync(`${statePath}.lock`)).toBe(false); // the winner released it
    }
  }, 60_000);

  it('refuses while the holder runs, naming its pid and host; takes the lock over once it was killed, in one line', async () => {
    const statePath = path.join(tmpDir(), '.mfile', 'state.json');
    const holder = run(fixture('hold-lock.mjs'), [mod, statePath]);
    const info = JSON.parse(await firstLine(holder.child)) as { id: string; pid: number; who: string; created: string };

    const whileAlive = (await new StateStore(statePath).lock('apply').catch((e: unknown) => e)) as Error;
    expect(whileAlive).toBeInstanceOf(LockError);
    expect(whileAlive.message).toBe(`state is locked by ${info.who}, process ${info.pid} (apply, since ${info.created}, lock id ${info.id})`);
    expect(info.who).toBe(`${os.userInfo().username}@${os.hostname()}`);

    holder.child.kill('SIGKILL');
    await holder.done;
    const notices: string[] = [];
    const mine = await new StateStore(statePath).lock('plan', { notice: (l) => notices.push(l) });
    expect(notices).toEqual([
      `took over the state lock of ${info.who}, process ${info.pid} (apply, since ${info.created}, lock id ${info.id}): that process is no longer running`,
    ]);
    expect(mine.tookOverFrom?.id).toBe(info.id);
    expect(JSON.parse(fs.readFileSync(`${statePath}.lock`, 'utf8')).id).toBe(mine.info.id);
    await mine.release();
    expect(fs.existsSync(`${statePath}.lock`)).toBe(false);
    expect(fs.existsSync(`${statePath}.lock.takeover`)).toBe(false);
  }, 30_000);

  it('of three runs finding the same dead lock, exactly one takes it over; the others name that one', async () => {
    for (let round = 0; round < 10; round++) {
      const statePath = path.join(tmpDir(), '.mfile', 'state.json');
      const holder = run(fixture('hold-lock.mjs'), [mod, statePath]);
      const dead = JSON.parse(await firstLine(holder.child)) as { id: string };
      holder.child.kill('SIGKILL');
      await holder.done;
      const racers = [0, 1, 2].map(() => run(fixture('lock-race.mjs'), [mod, statePath]));
      const out = racers.map((r) => lineReader(r.child));
      expect(await Promise.all(out.map((next) => next()))).toEqual(['ready', 'ready', 'ready']);
      for (const r of racers) r.child.stdin!.write('go\n');
      const results = (await Promise.all(out.map((next) => next()))).map((l) => JSON.parse(l) as RaceResult);
      const winners = results.filter((r) => r.ok);
      expect(winners).toHaveLength(1);
      const w = winners[0]!;
      // What the file holds while the winner still runs: the winner's lock, not the dead one's nor a loser's.
      expect(JSON.parse(fs.readFileSync(`${statePath}.lock`, 'utf8')).id).toBe(w.id);
      for (const r of racers) r.child.stdin!.end();
      await Promise.all(racers.map((r) => r.done));
      for (const loser of results.filter((r) => !r.ok)) expect(loser.message).toContain(`lock id ${w.id})`);
      expect(results.some((r) => r.message?.includes(dead.id))).toBe(false);
      expect(fs.existsSync(`${statePath}.lock`)).toBe(false);
    }
  }, 60_000);

  it('mfile state unlock frees a lock that cannot be taken over (its holder on another host)', async () => {
    const statePath = path.join(tmpDir(), '.mfile', 'state.json');
    fs.mkdirSync(path.dirname(statePath), { recursive: true });
    const info = { id: 'elsewhere-1', operation: 'apply', who: 'root@another-host', pid: 4242, created: '2026-01-01T00:00:00.000Z' };
    fs.writeFileSync(`${statePath}.lock`, JSON.stringify(info));
    await expect(new StateStore(statePath).lock('apply')).rejects.toThrow(
      /^state is locked by root@another-host, process 4242 \(apply, since 2026-01-01T00:00:00.000Z, lock id elsewhere-1\)$/,
    );
    await forceUnlock(statePath, info.id);
    const mine = await new StateStore(statePath).lock('apply');
    await mine.release();
  }, 30_000);
});
