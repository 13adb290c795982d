#!/usr/bin/env bash
# Installs the workspace's npm dependencies when node_modules is missing or
# older than package-lock.json; a no-op (milliseconds) otherwise.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
root="$(repo_root)"
stamp="$root/node_modules/.nx-cnb-lock.sha256"
want="$(sha256sum "$root/package-lock.json" | cut -d' ' -f1)"
if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
  exit 0
fi
command -v npm >/dev/null 2>&1 || die "npm is missing: install Node.js 20.19 or newer"
log "installing npm dependencies"
# npm install, not npm ci: npm 11 leaves other platforms' optional packages
# (@swc/core-darwin-*, ...) out of the lock file and npm ci then refuses it.
(cd "$root" && npm install --no-audit --no-fund --loglevel=error >&2)
printf '%s\n' "$want" >"$stamp"
