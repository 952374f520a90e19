#!/usr/bin/env bash
# The README's test command (as root on Debian 12): prepares the machine, runs every test, prints "N passed, N failed, N skipped".
# With --reliability it also runs the long reliability suite (npm run test:reliability), as CI does.
set -uo pipefail
cd "$(dirname "$0")/.."
reliability=0
if [ "${1:-}" = "--reliability" ]; then reliability=1; shift; fi
bash scripts/setup-host.sh || exit 1
bash scripts/make-busybox-image.sh mfile-demo/busybox:1 || exit 1
rm -f .vitest.json .vitest-unit.json .vitest-reliability.json .vitest-reliability-engines.json
# The main suite's two lanes (see vitest.config.ts) run side by side, the unit lane's output printed after the box lane's.
main=(npx vitest run --passWithNoTests --reporter=default --reporter=json)
"${main[@]}" --project unit --outputFile.json=.vitest-unit.json "$@" >.vitest-unit.log 2>&1 &
unit=$!
# The box lane starts the slow cached builds (Debian root, cloud image, Go binaries) in the background at once.
MFILE_WARM_TEST_CACHES=1 "${main[@]}" --project box --outputFile.json=.vitest.json "$@"
status=$?
wait "$unit"
u=$?
cat .vitest-unit.log
[ $u -ne 0 ] && status=$u
reports=(.vitest.json .vitest-unit.json)
if [ "$reliability" = 1 ]; then
  # Its two lanes share nothing (see vitest.reliability.config.ts): they run side by side, the engines lane's
  # output printed after the hosts lane's.
  rel=(npx vitest run --config vitest.reliability.config.ts --reporter=default --reporter=json)
  "${rel[@]}" --project engines --outputFile.json=.vitest-reliability-engines.json >.vitest-reliability-engines.log 2>&1 &
  engines=$!
  "${rel[@]}" --project hosts --outputFile.json=.vitest-reliability.json
  r=$?
  wait "$engines"
  e=$?
  cat .vitest-reliability-engines.log
  [ $r -ne 0 ] && status=$r
  [ $e -ne 0 ] && status=$e
  reports+=(.vitest-reliability.json .vitest-reliability-engines.json)
fi
node scripts/count-results.mjs "${reports[@]}"
exit $status
