#!/usr/bin/env bash
# The test command of the README and CI: prepares the machine, runs every test, prints "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-host.sh || exit 1
rm -f .vitest.json
npx vitest run --reporter=default --reporter=json --outputFile.json=.vitest.json "$@"
status=$?
if [ -f .vitest.json ]; then
  node -e 'const r=JSON.parse(require("fs").readFileSync(".vitest.json","utf8"));const broken=r.testResults.filter(s=>s.status==="failed"&&s.assertionResults.length===0).length;console.log(`${r.numPassedTests} passed, ${r.numFailedTests+broken} failed`)'
else
  echo "0 passed, 1 failed"
fi
exit $status
