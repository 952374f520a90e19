import { defineConfig } from 'vitest/config';

// Long-running proofs (crash safety, contention, faults, fuzzing): `npm run test:reliability`.
export default defineConfig({
  test: {
    include: ['test/reliability/**/*.test.ts'],
    testTimeout: 900_000,
    hookTimeout: 600_000,
    fileParallelism: false,
  },
});
