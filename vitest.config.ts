import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/reliability/**', 'node_modules/**'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    // e2e files share one dockerd and the host's namespaces; files run one at a time, tests inside may overlap.
    fileParallelism: false,
  },
});
