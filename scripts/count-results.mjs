// Prints "N passed, N failed, N skipped" over one or more vitest JSON reports, counted from each test's status
// so a skipped test is never silent. A missing or unreadable report counts as one failure, and so does a file
// that failed without a failed test of its own (it did not load, or a hook or the file itself threw).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

let passed = 0;
let failed = 0;
let skipped = 0;
// The names of what failed, printed just above the count: CI keeps only the tail of a long log.
const failures = [];
/** The first non-blank line of a message, cut short. */
const firstLine = (text) => (String(text ?? '').split('\n').find((line) => line.trim() !== '') ?? '').slice(0, 300);
for (const file of process.argv.slice(2)) {
  let report;
  try {
    report = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined;
  } catch {
    report = undefined;
  }
  if (!Array.isArray(report?.testResults)) {
    failed += 1;
    failures.push(`${file}: no vitest JSON report`);
    continue;
  }
  for (const suite of report.testResults) {
    const where = path.relative('.', suite.name);
    const tests = suite.assertionResults ?? [];
    const bad = tests.filter((t) => t.status === 'failed').length;
    passed += tests.filter((t) => t.status === 'passed').length;
    failed += bad;
    // vitest 4 reports skip/skipIf as "skipped", todo as "todo", and anything not run as "pending".
    skipped += tests.filter((t) => t.status !== 'passed' && t.status !== 'failed').length;
    for (const t of tests.filter((x) => x.status === 'failed')) {
      failures.push(`${where} > ${t.fullName}: ${firstLine(t.failureMessages?.[0])}`);
    }
    if (suite.status === 'failed' && bad === 0) {
      failed += 1;
      // vitest's JSON report drops a failed hook's message.
      failures.push(`${where}: ${firstLine(suite.message) || 'failed outside its tests (a hook, or the file itself)'}`);
    }
  }
}
for (const line of failures) console.log(`FAILED ${line}`);
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
