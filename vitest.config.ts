import { defineConfig } from 'vitest/config';

// Two lanes. `unit`: files that make no machine, engine-wide object or namespace (config, plan, state, CLI errors...).
// `box`: e2e files and every other file that uses this machine's dockerd, namespaces or bridges; they share one
// dockerd and the host's namespaces, so its files run one at a time (tests inside may overlap). scripts/test.sh runs
// the lanes side by side as two processes (`--project unit`, `--project box`); one `vitest run` runs them in turn.
const UNIT = ['cli', 'config', 'plan', 'state', 'progress', 'architecture', 'scripts', 'fs-safety'].map((d) => `test/${d}/**/*.test.ts`);

export default defineConfig({
  test: {
    testTimeout: 120_000,
    hookTimeout: 300_000,
    fileParallelism: false,
    projects: [
      { extends: true, test: { name: 'unit', include: [...UNIT, 'test/*.test.ts'] } },
      {
        extends: true,
        test: {
          name: 'box',
          include: ['test/**/*.test.ts'],
          exclude: [...UNIT, 'test/*.test.ts', 'test/reliability/**', 'node_modules/**'],
          globalSetup: ['test/helpers/warm-caches.ts'],
        },
      },
    ],
  },
});
