#!/usr/bin/env bash
# Runs every test: the linters, unit tests, then end-to-end tests against the real Docker
# engine (and pack), which this script provisions first. Nothing is skipped:
# a missing engine fails the end-to-end tests.
set -euo pipefail
tools="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$tools/.."
bash tools/node-deps.sh
bash tools/lint.sh
eval "$(bash tools/provision.sh)"
# The end-to-end tests need about 8 GB at their peak (image archives in the
# throwaway workspaces' Nx caches, a second engine's copies, registry pushes).
# Say so up front rather than let an engine fail mid-run with ENOSPC.
need_mb=9000
checked_filesystems=" "
for dir in "${TMPDIR:-/tmp}" "$(docker info --format '{{.DockerRootDir}}' 2>/dev/null || true)"; do
  [[ -d "$dir" ]] || continue
  filesystem="$(stat -f -c %i "$dir")"
  [[ "$checked_filesystems" == *" $filesystem "* ]] && continue # one filesystem (a bind mount, say), reported once
  checked_filesystems+="$filesystem "
  free_mb="$(df -Pm "$dir" | awk 'NR == 2 { print $4 }')"
  echo "[test] ${free_mb} MB free under $dir"
  if (( free_mb < need_mb )); then
    echo "[test] warning: the end-to-end tests need about ${need_mb} MB free under $dir; they may fail with 'no space left on device'" >&2
  fi
done
mkdir -p .cache
results=.cache/jest-results.json
status=0
node_modules/.bin/jest --ci --runInBand --json --outputFile="$results" "$@" || status=$?
# One plain closing line, whatever the runner printed above.
# shellcheck disable=SC2016 # JavaScript, not shell: nothing to expand
node -e '
  const r = require(process.argv[1]);
  console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`);
' "$PWD/$results" || true
exit "$status"
