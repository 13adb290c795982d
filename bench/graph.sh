#!/usr/bin/env bash
# Project-graph computation for 10, 100 and 500 generated stacks, measured as
# the wall time of `nx show projects` with no daemon (as in CI), median of
# BENCH_RUNS (default 3), side by side in fresh workspaces:
#   nx-cnb         the stacks, inferred by the compiled plugin (its inference
#                  cache warm, as after any earlier Nx command; the graph cache
#                  removed, so every plugin runs);
#   same targets   project.json files holding exactly the projects nx-cnb
#                  infers, no plugin: the graph nx-cnb makes, written by hand;
#   + empty plugin the same, plus a plugin whose createDependencies returns
#                  nothing: what Nx charges any plugin (a worker, the context);
#   plain          project.json files with one trivial target each.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
plugin="$(bash "$root/tools/build-plugin.sh")"
export NX_DAEMON=false NX_NO_CLOUD=true
read -r -a sizes <<<"${BENCH_SIZES:-10 100 500}"
runs="${BENCH_RUNS:-3}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

workspace() { # $1 = folder, $2 = plugin json ("" for none)
  mkdir -p "$1/node_modules"
  for entry in "$root"/node_modules/*; do [[ "$(basename "$entry")" == nx-cnb ]] || ln -s "$entry" "$1/node_modules/"; done
  ln -s "$plugin" "$1/node_modules/nx-cnb"
  echo '{"name":"bench","private":true}' >"$1/package.json"
  printf '{ "plugins": [%s] }\n' "$2" >"$1/nx.json"
}
show() { (cd "$1" && node node_modules/nx/dist/bin/nx.js show projects >/dev/null); }
seconds() {
  local times=() i start
  for ((i = 0; i < runs; i++)); do
    rm -rf "$1/.nx/workspace-data/project-graph.json" "$1/.nx/workspace-data/file-map.json"
    start=$EPOCHREALTIME; show "$1"; times+=("$(awk -v a="$EPOCHREALTIME" -v b="$start" 'BEGIN { printf "%.2f", a - b }')")
  done
  printf '%s\n' "${times[@]}" | sort -g | awk '{ v[NR] = $1 } END { printf "%.2f", v[int((NR + 1) / 2)] }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

printf '%-7s %9s %14s %17s %8s %9s %10s %9s\n' stacks "nx-cnb s" "same targets s" "+ empty plugin s" "plain s" "/ same" "/ +empty" "/ plain"
for n in "${sizes[@]}"; do
  cnb="$work/cnb-$n" same="$work/same-$n" empty="$work/empty-$n" plain="$work/plain-$n"
  workspace "$cnb" '"nx-cnb"'
  workspace "$same" ''
  workspace "$empty" '"empty-plugin"'
  workspace "$plain" ''
  # Installed as a package, like nx-cnb: Nx compiles plugins given as workspace paths first.
  mkdir -p "$empty/node_modules/empty-plugin"
  echo '{ "name": "empty-plugin", "version": "1.0.0", "main": "index.js" }' >"$empty/node_modules/empty-plugin/package.json"
  echo 'exports.createDependencies = () => [];' >"$empty/node_modules/empty-plugin/index.js"
  for i in $(seq 1 "$n"); do
    # Each stack a copy of the dogfood one, with a codename of its own so image names differ.
    mkdir -p "$cnb/stacks/s$i" "$plain/stacks/s$i"
    cp -r "$root/stacks/debian-bookworm/." "$cnb/stacks/s$i/"
    sed -i "s/\"bookworm\"/\"s$i\"/" "$cnb/stacks/s$i/images.json"
    printf '{ "name": "s%s", "targets": { "build-image": { "command": "true" } } }\n' "$i" >"$plain/stacks/s$i/project.json"
  done
  # What nx-cnb infers, written out as project.json files.
  (cd "$cnb" && node node_modules/nx/dist/bin/nx.js graph --file="$work/graph-$n.json" >/dev/null)
  node -e '
    const fs = require("fs"), path = require("path");
    const [graph, ...dirs] = process.argv.slice(1);
    for (const { data } of Object.values(JSON.parse(fs.readFileSync(graph, "utf8")).graph.nodes)) {
      const { name, root, projectType, tags, targets } = data;
      for (const dir of dirs) {
        fs.mkdirSync(path.join(dir, root), { recursive: true });
        fs.writeFileSync(path.join(dir, root, "project.json"), JSON.stringify({ name, projectType, tags, targets }));
      }
    }' "$work/graph-$n.json" "$same" "$empty"
  show "$cnb" # the inference cache, as any earlier command leaves it
  cnb_s="$(seconds "$cnb")" same_s="$(seconds "$same")" empty_s="$(seconds "$empty")" plain_s="$(seconds "$plain")"
  printf '%-7s %9s %14s %17s %8s %9s %10s %9s\n' "$n" "$cnb_s" "$same_s" "$empty_s" "$plain_s" \
    "$(ratio "$cnb_s" "$same_s")" "$(ratio "$cnb_s" "$empty_s")" "$(ratio "$cnb_s" "$plain_s")"
done
echo "(wall time of nx show projects, daemon off, graph cache removed; median of $runs)"
