#!/usr/bin/env bash
# diff and release-notes of the dogfood stack against its last publish, beside
# the plain alternative (jq over two receipts' package lists, then diff), and
# Nx start-up alone (nx show project), on this machine. Images come from the
# Nx cache: no rebuild, no engine call. The baseline is the current build
# itself, published to a folder (dir:), so the numbers need no registry.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
eval "$(bash tools/provision.sh 2>/dev/null)"
export NX_DAEMON=false NX_NO_CLOUD=true
nx=(node_modules/.bin/nx)
stack=stacks/debian-bookworm
baseline="$(mktemp -d)"
trap 'rm -rf "$baseline"' EXIT

seconds() { local start=$EPOCHREALTIME; "$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; exit 1; }; awk -v a="$EPOCHREALTIME" -v b="$start" 'BEGIN { printf "%.2f", a - b }'; }

"${nx[@]}" run debian-bookworm:build-image >/dev/null
for image in build run run-tiny run-static; do
  mkdir -p "$baseline/$image"
  cp "dist/$stack/$image/receipt.json" "$baseline/$image/"
done
plain_diff() {
  for image in build run run-tiny run-static; do
    diff <(jq -r '.packages[] | "\(.name) \(.version)"' "$baseline/$image/receipt.json") \
      <(jq -r '.packages[] | "\(.name) \(.version)"' "dist/$stack/$image/receipt.json") || true
  done
}

startup="$(seconds "${nx[@]}" show project debian-bookworm)"
diff_s="$(seconds "${nx[@]}" run debian-bookworm:diff "--baseline=dir:$baseline")"
notes_s="$(seconds "${nx[@]}" run debian-bookworm:release-notes "--baseline=dir:$baseline" --version=0.0.1)"
plain_s="$(seconds plain_diff)"

echo
echo "release tools on the dogfood stack (4 images; $(nproc) cores; Nx daemon off)"
printf '%-58s %8s\n' "scenario" "seconds"
printf '%-58s %8s\n' "Nx start-up alone (nx show project)" "$startup"
printf '%-58s %8s\n' "nx run debian-bookworm:diff" "$diff_s"
printf '%-58s %8s\n' "nx run debian-bookworm:release-notes" "$notes_s"
printf '%-58s %8s\n' "plain: jq + diff of the package lists" "$plain_s"
awk -v d="$diff_s" -v n="$notes_s" -v s="$startup" 'BEGIN { printf "%-58s %8.2f\n%-58s %8.2f\n", "diff beyond Nx start-up", d - s, "release-notes beyond Nx start-up", n - s }'
