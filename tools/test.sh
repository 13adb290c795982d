#!/usr/bin/env bash
# Runs every test: unit tests, then end-to-end tests against the real Docker
# engine (and pack), which this script provisions first. Nothing is skipped:
# a missing engine fails the end-to-end tests.
set -euo pipefail
tools="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$tools/.."
bash tools/node-deps.sh
eval "$(bash tools/provision.sh)"
mkdir -p .cache
results=.cache/jest-results.json
status=0
node_modules/.bin/jest --ci --runInBand --json --outputFile="$results" "$@" || status=$?
# One plain closing line, whatever the runner printed above.
node -e '
  const r = require(process.argv[1]);
  console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`);
' "$PWD/$results" || true
exit "$status"
