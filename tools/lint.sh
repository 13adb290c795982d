#!/usr/bin/env bash
# The linters and the formatter check, as CI runs them: eslint (typescript-eslint,
# with the dependency rules of eslint.config.mjs), prettier --check, and the
# shell checker (shellcheck) on tools/ and bench/. `npm run format` fixes what
# prettier finds.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$(repo_root)"
command -v shellcheck >/dev/null 2>&1 || apt_install shellcheck
status=0
node_modules/.bin/eslint --max-warnings=0 . || status=1
node_modules/.bin/prettier --check --log-level=warn . || status=1
shellcheck tools/*.sh bench/*.sh .ci/run || status=1
((status == 0)) && log "lint: eslint, prettier and shellcheck found nothing"
exit "$status"
