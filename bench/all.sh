#!/usr/bin/env bash
# Every benchmark, one after the other on this machine, each printing its
# table side by side with the plain tool it replaces (`npm run bench`).
set -euo pipefail
bench="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$bench/.."
bash tools/node-deps.sh
eval "$(bash tools/provision.sh 2>/dev/null)"
for script in stack-build builder-create installed affected graph jam release; do
  [[ -f "$bench/$script.sh" ]] || continue
  echo
  echo "=== bench/$script.sh"
  bash "$bench/$script.sh" 2>/dev/null
done
