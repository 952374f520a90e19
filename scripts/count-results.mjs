// Prints "N passed, N failed, N skipped" over one or more vitest JSON reports, counted from each test's status
// so a skipped test is never silent. A missing or unreadable report counts as one failure, and so does a file
// that failed without a failed test of its own (it did not load, or a hook or the file itself threw).
import { existsSync, readFileSync } from 'node:fs';

let passed = 0;
let failed = 0;
let skipped = 0;
for (const file of process.argv.slice(2)) {
  let report;
  try {
    report = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined;
  } catch {
    report = undefined;
  }
  if (!Array.isArray(report?.testResults)) {
    console.error(`count-results: ${file}: no vitest JSON report`);
    failed += 1;
    continue;
  }
  for (const suite of report.testResults) {
    const tests = suite.assertionResults ?? [];
    const bad = tests.filter((t) => t.status === 'failed').length;
    passed += tests.filter((t) => t.status === 'passed').length;
    failed += bad;
    // vitest 4 reports skip/skipIf as "skipped", todo as "todo", and anything not run as "pending".
    skipped += tests.filter((t) => t.status !== 'passed' && t.status !== 'failed').length;
    if (suite.status === 'failed' && bad === 0) failed += 1;
  }
}
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
