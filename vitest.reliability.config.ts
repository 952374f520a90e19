import { defineConfig } from 'vitest/config';

// Long-running proofs (crash safety, contention, faults, fuzzing): `npm run test:reliability`.
// Two lanes that share nothing: `hosts` makes sandbox machines (namespaces, bridges, addresses on this box);
// `engines` uses the local engine, dockerds of its own and the CLI alone. Run together (`--project hosts` and
// `--project engines` as two processes, as scripts/test.sh does) they overlap one lane's waits with the other's
// work; run as one command, the files still go one at a time.
const HOSTS = [
  'crash-safety', 'crash-sandbox-init', 'faults-hosts', 'host-lock-contention', 'injection', 'interrupt-hosts', 'secrets-hosts',
].map((f) => `test/reliability/${f}.test.ts`);

export default defineConfig({
  test: {
    testTimeout: 900_000,
    hookTimeout: 600_000,
    fileParallelism: false,
    projects: [
      { extends: true, test: { name: 'hosts', include: HOSTS } },
      { extends: true, test: { name: 'engines', include: ['test/reliability/**/*.test.ts'], exclude: [...HOSTS, 'node_modules/**'] } },
    ],
  },
});
