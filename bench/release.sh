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

# The median of five runs: other work shares this machine, and one run can be seconds off.
runs=5
seconds() {
  local i start times=()
  for ((i = 0; i < runs; i++)); do
    start=$EPOCHREALTIME
    "$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; exit 1; }
    times+=("$(awk -v a="$EPOCHREALTIME" -v b="$start" 'BEGIN { printf "%.3f", a - b }')")
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{ t[NR] = $1 } END { printf "%.2f", t[int((NR + 1) / 2)] }'
}

"${nx[@]}" run debian-bookworm:build-image >/dev/null
for image in build run run-tiny run-static; do
  mkdir -p "$baseline/$image"
  cp "dist/$stack/$image/receipt.json" "$baseline/$image/"
done
plain_diff() {
  for image in build run run-tiny run-static; do
    diff <(jq -r '.platforms[] | .platform as $p | .packages[] | "\($p) \(.name) \(.version)"' "$baseline/$image/receipt.json") \
      <(jq -r '.platforms[] | .platform as $p | .packages[] | "\($p) \(.name) \(.version)"' "dist/$stack/$image/receipt.json") || true
  done
}

startup="$(seconds "${nx[@]}" show project debian-bookworm)"
diff_s="$(seconds "${nx[@]}" run debian-bookworm:diff "--baseline=dir:$baseline")"
# What the image tasks cost as cache hits: Nx without its daemon copies every output back out of the cache,
# the saved images included. diff and release-notes run them only for receipts that no longer match the stack's files.
images_s="$(seconds "${nx[@]}" run-many -t image-build image-run image-run-tiny image-run-static -p debian-bookworm)"
notes_s="$(seconds "${nx[@]}" run debian-bookworm:release-notes "--baseline=dir:$baseline" --version=0.0.1)"
plain_s="$(seconds plain_diff)"

echo
echo "release tools on the dogfood stack (median of $runs runs; 4 images, $(jq -r '.platforms | map(.platform) | join(" and ")' "dist/$stack/build/receipt.json"); $(nproc) cores; Nx daemon off)"
printf '%-58s %8s\n' "scenario" "seconds"
printf '%-58s %8s\n' "Nx start-up alone (nx show project)" "$startup"
printf '%-58s %8s\n' "nx run debian-bookworm:diff" "$diff_s"
printf '%-58s %8s\n' "nx run debian-bookworm:release-notes" "$notes_s"
printf '%-58s %8s\n' "the four image tasks as cache hits (not run by the above)" "$images_s"
printf '%-58s %8s\n' "plain: jq + diff of the package lists" "$plain_s"
awk -v d="$diff_s" -v n="$notes_s" -v s="$startup" 'BEGIN { printf "%-58s %8.2f\n%-58s %8.2f\n", "diff beyond Nx start-up", d - s, "release-notes beyond Nx start-up", n - s }'
