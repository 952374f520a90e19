// The module rules of design.md, kept by dependency-cruiser with the rules in .dependency-cruiser.cjs: every
// import of src/ that crosses a rule is listed as `rule: from -> to`.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cruise, type ICruiseResult } from 'dependency-cruiser';
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';
import { describe, expect, it } from 'vitest';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const FIXTURE = path.join(REPO, 'test/architecture/fixture');

/** The violations of the project's rules in `root`/src, one `rule: from -> to` line each, sorted. */
async function violations(root: string): Promise<string[]> {
  const options = await extractDepcruiseOptions(path.join(REPO, '.dependency-cruiser.cjs'));
  const tsConfig = extractTSConfig(path.join(REPO, 'tsconfig.json'));
  const { output } = await cruise(['src'], { ...options, baseDir: root }, {}, { tsConfig });
  const result = output as ICruiseResult;
  // Guard against a checker that reads nothing and so finds nothing wrong.
  expect(result.summary.totalCruised).toBeGreaterThan(0);
  return result.summary.violations.map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`).sort();
}

describe('module rules (design.md, Modules)', () => {
  it('hold for src/', async () => {
    expect(await violations(REPO)).toEqual([]);
  }, 120_000);

  it('report an import that breaks them (a fixture tree with planted violations)', async () => {
    expect(await violations(FIXTURE)).toEqual([
      'apply-imports-only-model-errors-drivers-remote-masking: src/apply/step.ts -> src/plan/hash.ts',
      'remote-imports-only-model-errors-fsSafety: src/remote/client.ts -> src/drivers/driver.ts',
    ]);
  }, 120_000);
});
