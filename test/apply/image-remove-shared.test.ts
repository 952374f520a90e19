// Two tags of one image removed in the same apply: whichever removal comes second must not fail because the
// first one took the image (dockerd answers "unrecognized image ID" for it when the two overlap).
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyPlan } from '../../src/apply/index.js';
import { ensureTestImages, TEST_IMAGE } from '../helpers/image.js';
import { desiredOf, freshState, memoryStore, node, planOf } from '../helpers/fixtures.js';

const project = `mft${process.pid}i`;
const repo = `mfile-test/${project}-twotags`;
const refs = Array.from({ length: 6 }, (_, i) => `${repo}:t${i}`);
const docker = (...args: string[]): string => execFileSync('docker', args, { encoding: 'utf8' }).trim();
const present = (): string[] => docker('images', '--format', '{{.Repository}}:{{.Tag}}', repo).split('\n').filter(Boolean);

beforeAll(() => ensureTestImages(), 60_000);
afterAll(() => {
  for (const r of refs) execFileSync('docker', ['rmi', '-f', r], { stdio: 'ignore' });
});

describe('removing images that share one image id', () => {
  it('removes every tag, in parallel, without an error, round after round', async () => {
    const desired = desiredOf(project, {});
    for (let round = 0; round < 8; round++) {
      // An image of its own (the test image keeps its id), so the last tag removed takes the image with it.
      execFileSync('docker', ['build', '-q', '-t', refs[0], '-'], { input: `FROM ${TEST_IMAGE}\nLABEL round=${project}-${round}\n`, stdio: ['pipe', 'ignore', 'inherit'] });
      for (const r of refs.slice(1)) docker('tag', refs[0], r);
      const nodes = refs.map((r) => node(`image.${r}[m1]`, 'delete', [], { name: r, image: { ref: r } }));
      const result = await applyPlan({
        plan: planOf(nodes, project),
        desired,
        store: memoryStore(),
        state: freshState(),
        parallelism: 10,
        perMachine: 10,
        sink: () => undefined,
        signal: new AbortController().signal,
      });
      expect(result.failed, `round ${round}`).toEqual([]);
      expect(present(), `round ${round}`).toEqual([]);
    }
    // The test image itself is untouched: only the extra tags went.
    expect(docker('image', 'inspect', '--format', '{{.Id}}', TEST_IMAGE)).toMatch(/^sha256:/);
  });
});
