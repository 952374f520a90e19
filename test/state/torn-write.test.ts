// A writer SIGKILLed at random moments must leave the previous or the new state, never a torn file.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StateStore } from '../../src/state/index.js';
import { firstLine, run } from './helpers/child.js';
import { compileStateModule, fixture, removeCompiled } from './helpers/compile-state.js';
import { tmpDir } from './helpers/tmp.js';

let mod = '';
beforeAll(() => {
  mod = compileStateModule();
}, 120_000);
afterAll(() => removeCompiled(mod));

const OBJECTS = 3000; // ~1 MB per write, so kills often land inside one

describe('state write killed midway', () => {
  it('always leaves a whole state (20 random kills)', async () => {
    const statePath = path.join(tmpDir(), '.mfile', 'state.json');
    let lastSerial = 0;
    for (let i = 0; i < 20; i++) {
      const writer = run(fixture('write-loop.mjs'), [mod, statePath, String(OBJECTS)]);
      await firstLine(writer.child);
      await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 150)));
      writer.child.kill('SIGKILL');
      const end = await writer.done;
      expect(end.signal).toBe('SIGKILL');

      const state = await new StateStore(statePath).read(); // throws on a torn or half-written file
      const objects = Object.values(state.objects);
      expect(objects).toHaveLength(OBJECTS);
      // Every object was written together with this serial: no mix of two writes.
      expect(new Set(objects.map((o) => o.attributes.gen))).toEqual(new Set([state.serial]));
      expect(state.serial).toBeGreaterThan(lastSerial);
      lastSerial = state.serial;

      if (i > 0) {
        // Each run backed up the file it found: a whole earlier state.
        const backup = await new StateStore(`${statePath}.backup`).read();
        expect(backup.serial).toBeLessThan(state.serial);
      }
    }
    // Temp files of killed writers are swept by the next run: at most the last one's is left.
    const left = fs.readdirSync(path.dirname(statePath)).filter((n) => n.includes('.tmp-'));
    expect(left.length).toBeLessThanOrEqual(2);
  }, 120_000);
});
