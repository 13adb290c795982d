#!/usr/bin/env bash
# Project-graph computation for 10, 100 and 500 generated stacks: nx-cnb's
# inference against the same number of plain project.json projects, each in
# a fresh workspace, measured as the wall time of `nx show projects` with no
# daemon and no graph cache.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
plugin="$(bash "$root/tools/build-plugin.sh")"
export NX_DAEMON=false NX_NO_CLOUD=true
read -r -a sizes <<<"${BENCH_SIZES:-10 100 500}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

workspace() { # $1 = folder, $2 = plugin json ("" for none)
  mkdir -p "$1/node_modules"
  for entry in "$root"/node_modules/*; do [[ "$(basename "$entry")" == nx-cnb ]] || ln -s "$entry" "$1/node_modules/"; done
  ln -s "$plugin" "$1/node_modules/nx-cnb"
  echo '{"name":"bench","private":true}' >"$1/package.json"
  printf '{ "plugins": [%s] }\n' "$2" >"$1/nx.json"
}
seconds() { local start=$EPOCHREALTIME; (cd "$1" && rm -rf .nx && node node_modules/nx/dist/bin/nx.js show projects >/dev/null); awk -v a="$EPOCHREALTIME" -v b="$start" 'BEGIN { printf "%.2f", a - b }'; }

printf '%-8s %12s %12s %8s\n' stacks "nx-cnb (s)" "plain (s)" ratio
for n in "${sizes[@]}"; do
  cnb="$work/cnb-$n" plain="$work/plain-$n"
  workspace "$cnb" '"nx-cnb"'
  workspace "$plain" ''
  for i in $(seq 1 "$n"); do
    # Each stack a copy of the dogfood one, with a codename of its own so image names differ.
    mkdir -p "$cnb/stacks/s$i" "$plain/stacks/s$i"
    cp -r "$root/stacks/debian-bookworm/." "$cnb/stacks/s$i/"
    sed -i "s/\"bookworm\"/\"s$i\"/" "$cnb/stacks/s$i/images.json"
    printf '{ "name": "s%s", "targets": { "build-image": { "command": "true" } } }\n' "$i" >"$plain/stacks/s$i/project.json"
  done
  cnb_s="$(seconds "$cnb")" plain_s="$(seconds "$plain")"
  printf '%-8s %12s %12s %8.2f\n' "$n" "$cnb_s" "$plain_s" "$(awk -v a="$cnb_s" -v b="$plain_s" 'BEGIN { print a / b }')"
done
