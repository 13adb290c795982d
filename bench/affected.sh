#!/usr/bin/env bash
# nx affected after a one-file change against a full rebuild of every stack
# image and builder, on the dogfood workspace, in one run on this machine.
# Both start with the engine's layer cache warm; "full" skips the Nx cache.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
eval "$(bash tools/provision.sh 2>/dev/null)"
export NX_DAEMON=false NX_NO_CLOUD=true
nx=(node_modules/.bin/nx)
targets=(-t build-image create-builder create-builder-buildpackless --outputStyle=stream)
dockerfile=stacks/debian-bookworm/tiny/run.Dockerfile
backup="$(mktemp)"
cp "$dockerfile" "$backup"
trap 'cp "$backup" "$dockerfile"; rm -f "$backup"' EXIT

seconds() { local start=$EPOCHREALTIME; "$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; exit 1; }; awk -v a="$EPOCHREALTIME" -v b="$start" 'BEGIN { printf "%.1f", a - b }'; }

"${nx[@]}" run-many "${targets[@]}" >/dev/null
full="$(seconds "${nx[@]}" run-many "${targets[@]}" --skip-nx-cache)"
printf '\n# a one-line change, as a commit would make\n' >>"$dockerfile"
affected="$(seconds "${nx[@]}" affected "${targets[@]}" --base=HEAD)"
noop_affected="$(cp "$backup" "$dockerfile"; seconds "${nx[@]}" affected "${targets[@]}" --base=HEAD)"

echo
echo "nx affected vs a full rebuild ($(nproc) cores; engine layer cache warm in both)"
printf '%-52s %8s\n' "scenario" "seconds"
printf '%-52s %8s\n' "full rebuild (run-many --skip-nx-cache)" "$full"
printf '%-52s %8s\n' "nx affected, tiny Dockerfile changed" "$affected"
printf '%-52s %8s\n' "nx affected, nothing changed" "$noop_affected"
awk -v f="$full" -v a="$affected" 'BEGIN { printf "%-52s %8.2f\n", "ratio affected / full", a / f }'
