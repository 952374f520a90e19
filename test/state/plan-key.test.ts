// The key that signs saved plans: made once, 0600, and never taken from a file another user could control.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensurePlanKey, planKeyPath, readPlanKey } from '../../src/state/index.js';
import { tmpDir } from './helpers/tmp.js';

describe('plan key', () => {
  it('is made once, 32 bytes, 0600, and read back the same by later runs', async () => {
    const dir = path.join(tmpDir(), '.mfile');
    expect(await readPlanKey(dir)).toBeNull();
    const [a, b] = await Promise.all([ensurePlanKey(dir), ensurePlanKey(dir)]);
    expect(a.length).toBe(32);
    expect(b.equals(a)).toBe(true);
    expect((await readPlanKey(dir))!.equals(a)).toBe(true);
    expect(fs.statSync(planKeyPath(dir)).mode & 0o777).toBe(0o600);
    expect(fs.readdirSync(dir)).toEqual(['plan.key']);
  });

  it('refuses a key others can read or write, and a symbolic link, without touching the target', async () => {
    const dir = path.join(tmpDir(), '.mfile');
    await ensurePlanKey(dir);
    fs.chmodSync(planKeyPath(dir), 0o644);
    await expect(readPlanKey(dir)).rejects.toThrow(/plan key .*plan\.key is readable or writable by others \(mode 644\); chmod 600 it/);
    await expect(ensurePlanKey(dir)).rejects.toThrow(/readable or writable by others/);

    const other = path.join(tmpDir(), '.mfile');
    const target = path.join(tmpDir(), 'elsewhere');
    fs.writeFileSync(target, Buffer.alloc(32, 1), { mode: 0o600 });
    fs.mkdirSync(other);
    fs.symlinkSync(target, planKeyPath(other));
    await expect(ensurePlanKey(other)).rejects.toThrow(/is a symbolic link; refusing to use it/);
    expect(fs.readFileSync(target).equals(Buffer.alloc(32, 1))).toBe(true);
  });
});
