#!/usr/bin/env bash
# Task overhead as users see it: the plugin installed compiled (as from npm),
# in a copy of the dogfood workspace (its stack and builder, publishing under
# 127.0.0.1:5000/nx-cnb-bench), on this machine's engine and registry.
# In this repository Nx loads the plugin from TypeScript, compiled again in
# every task process; that cost is the repository's, not the users'.
#
# Rows (median of BENCH_RUNS, default 3), each beside its plain alternative:
#   no-op `nx run-many -t build-image create-builder` / `nx show projects`,
#     daemon off (as in CI) and on;
#   the builder made anew, images present: create-builder alone
#     (--exclude-task-dependencies) / the same pack commands run directly;
#   the builder with nothing changed / the same pack commands.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
eval "$(bash tools/provision.sh 2>/dev/null)"
plugin="$(bash tools/build-plugin.sh)"
runs="${BENCH_RUNS:-3}"
work="$(mktemp -d)"
logs="$work/logs"
mkdir -p "$logs"
trap 'rm -rf "$work"' EXIT
export NX_NO_CLOUD=true NX_TUI=false NX_DAEMON=false
say() { echo "bench: $*" >&2; }
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { printf "%.2f", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
# timed LOG COMMAND...: runs it in the copy, prints its wall seconds; fails the bench when it fails.
timed() {
  local log="$logs/$1" start=$EPOCHREALTIME; shift
  (cd "$ws" && "$@") >"$log" 2>&1 || { say "failed: $* (see $log)"; exit 1; }
  awk -v a="$EPOCHREALTIME" -v b="$start" 'BEGIN { printf "%.2f", a - b }'
}

# The copy: the dogfood's stack, builder and nx.json, its images published under another name.
ws="$work/workspace"
mkdir -p "$ws/node_modules"
for entry in node_modules/*; do [[ "$(basename "$entry")" == nx-cnb ]] || ln -s "$root/$entry" "$ws/node_modules/"; done
ln -s "$plugin" "$ws/node_modules/nx-cnb"
cp -r stacks builders "$ws/"
echo '{ "name": "bench", "private": true }' >"$ws/package.json"
sed 's#127.0.0.1:5000/nx-cnb"#127.0.0.1:5000/nx-cnb-bench"#; s#127.0.0.1:5000/nx-cnb-cache#127.0.0.1:5000/nx-cnb-bench-cache#' nx.json >"$ws/nx.json"
sed -i "s#127.0.0.1:5000/nx-cnb/#127.0.0.1:5000/nx-cnb-bench/#; s#\"\\.\\./\\.\\./\\.cache/#\"$root/.cache/#" "$ws"/builders/*/builder*.toml
nx=(node node_modules/nx/dist/bin/nx.js)
say "building the copy's images and builders (BuildKit's cache makes this quick after npm run main)..."
timed setup "${nx[@]}" run-many -t build-image create-builder --outputStyle=stream >/dev/null

rows=()
row() { rows+=("$(printf '%-58s %9s %9s %8s' "$1" "$2" "$3" "$(ratio "$2" "$3")")"); }
for daemon in false true; do
  [[ "$daemon" == true ]] && (cd "$ws" && NX_DAEMON=true "${nx[@]}" show projects >/dev/null)
  noop=() show=()
  for ((i = 1; i <= runs; i++)); do
    noop+=("$(NX_DAEMON=$daemon timed "noop-$daemon-$i" "${nx[@]}" run-many -t build-image create-builder --outputStyle=stream)")
    show+=("$(NX_DAEMON=$daemon timed "show-$daemon-$i" "${nx[@]}" show projects)")
  done
  row "no-op build-image create-builder, daemon $([[ $daemon == true ]] && echo on || echo off) / show projects" "$(median "${noop[@]}")" "$(median "${show[@]}")"
done
(cd "$ws" && "${nx[@]}" daemon --stop >/dev/null 2>&1) || true

# The builder: nx-cnb creates each platform in the registry with pack, then the index.
receipt="$ws/dist/builders/debian-bookworm/builder/receipt.json"
source bench/builder-direct.sh
anew=() same=() direct=()
for ((i = 1; i <= runs; i++)); do
  forget_index
  anew+=("$(timed "anew-$i" "${nx[@]}" run debian-bookworm-builder:create-builder --exclude-task-dependencies --outputStyle=stream)")
  same+=("$(timed "same-$i" "${nx[@]}" run debian-bookworm-builder:create-builder --exclude-task-dependencies --outputStyle=stream)")
  direct+=("$(timed "pack-$i" pack_direct)")
done
row "builder (${#platforms[@]} platforms) made anew, images present / pack" "$(median "${anew[@]}")" "$(median "${direct[@]}")"
row "builder, nothing changed / pack" "$(median "${same[@]}")" "$(median "${direct[@]}")"

echo
echo "The plugin installed compiled, in a copy of the dogfood workspace (median of $runs; $(nproc) CPUs; nx $(node -p "require('nx/package.json').version"), pack $("$NX_CNB_PACK" version))"
printf '%-58s %9s %9s %8s\n' scenario "nx s" "plain s" ratio
printf '%s\n' "${rows[@]}"
echo "(wall times of the whole commands; the builder rows run create-builder alone, its images present)"
