#!/usr/bin/env bash
# Benchmark: the dogfood stack (stacks/debian-bookworm) built through nx-cnb
# against the same Dockerfiles, build args and platforms sent to the same
# engine as plain BuildKit builds (bench/plain-buildkit.js: the Engine API
# request `docker buildx build` makes, nothing else), in the same run; and the
# no-op run of every image and builder task against `nx show projects`.
#
# Rows, in this order:
#   no-op `nx run-many -t build-image create-builder` against `nx show
#     projects`, Nx daemon off (as in CI) and on (run `npm run main` first);
#   cold for linux/amd64 alone, for linux/arm64 alone (under QEMU) and for both;
#   nothing changed with the Nx cache cleared (are the image IDs the same?);
#   one Dockerfile changed (a 5 MB layer added to the base run image), with
#     the bytes nx-cnb wrote (registry, Nx cache, dist) against the size of
#     the new layers as the registry stores them.
#   BENCH_RUNS=N    repeat the no-op rows N times and report the median (default 3)
#   BENCH_ARM64=0   skip the arm64 rows (minutes under QEMU); the engine is left
#                   with the native images only: `npm run main` builds the rest
#
# "Cold" empties BuildKit's cache (docker builder prune -af) and removes both
# sides' images, never the base image. The cold and changed rows run one
# platform set through nx with --platform; the bench ends with an nx run of
# that set, so the engine holds nx's images and they match the receipts.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
eval "$(bash tools/provision.sh 2>/dev/null)"
stack=stacks/debian-bookworm
project=debian-bookworm
runs="${BENCH_RUNS:-3}"
plain_repo=nx-cnb-bench-plain # tag prefix of the plain builds, never nx's names
logs="$(mktemp -d "${TMPDIR:-/tmp}/nx-cnb-bench.XXXXXX")"
export NX_NO_CLOUD=true NX_DAEMON=false NX_TUI=false
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
say() { echo "bench: $*" >&2; }
die() { say "$*"; exit 1; }
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { printf "%.2f", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }
bench_started="$(now)"
timeout 10 docker version >/dev/null 2>&1 || die "no Docker engine answers; run: bash tools/provision.sh"
native="linux/$(docker version -f '{{.Server.Arch}}')"
registry_dir="$(sed -n 's/^ *rootdirectory: *//p' "${NX_CNB_CACHE:-.cache}/registry-5000.yml" 2>/dev/null || true)"
mapfile -t image_targets < <(node -e 'const t = JSON.parse(process.argv[1]).targets; console.log(Object.keys(t).filter((k) => k.startsWith("image-")).join("\n"))' \
  "$(node_modules/.bin/nx show project "$project" --json)")

# Cold: no BuildKit cache, no images of either side, no nx outputs or cache entries.
cold() {
  local refs
  mapfile -t refs < <(docker image ls --format '{{.Repository}}:{{.Tag}}' | grep -v ':<none>$' | grep -E "^(${plain_repo}/|127\.0\.0\.1:5000/nx-cnb/debian-bookworm-|nx-cnb-undecorated/)" || true)
  ((${#refs[@]} == 0)) || docker rmi -f "${refs[@]}" >/dev/null
  docker builder prune -af >/dev/null 2>&1
  rm -rf "dist/$stack"
  node_modules/.bin/nx reset --onlyCache >"$logs/nx-reset.log" 2>&1
}
# plain PLATFORMS LOG: the plain builds; their image IDs go to the log.
plain() { node bench/plain-buildkit.js "$stack" "$plain_repo" "$1" >"$logs/plain-$2.log" 2>&1 || die "plain BuildKit failed, see $logs/plain-$2.log"; }
# nx LOG ARGS...: one nx command, each output line stamped with the seconds since it started; nx's own "Run duration" goes to $nx_run.
nx() {
  local log="$logs/nx-$1.log"; shift
  node_modules/.bin/nx "$@" --outputStyle=stream 2>&1 | perl -MTime::HiRes=time -ne 'BEGIN { $s = time } printf "%6.1f %s", time - $s, $_' >"$log" ||
    die "nx failed, see $log"
  grep -q 'Successfully ran' "$log" || die "nx failed, see $log"
  nx_run="$(sed -n 's/^ *[0-9.]* *Run duration: *//p' "$log" | awk '{ for (i = 1; i <= NF; i++) { v = $i + 0
    s += $i ~ /ms$/ ? v / 1000 : $i ~ /s$/ ? v : $i ~ /m$/ ? 60 * v : $i ~ /h$/ ? 3600 * v : 0 } } END { printf "%.1f", s }')"
}
# The seconds each image task spent pushing to the cache registry, summed, from a stamped log.
push_seconds() {
  awk 'match($0, /^ *[0-9.]+ [^ ]+: [a-z-]+ \| /) {
         task = substr($0, RSTART, RLENGTH); sub(/^ *[0-9.]+ /, "", task)
         if (/ pushing to the cache registry /) start[task] = $1
         else if (/ \| built .* for / && task in start) { s += $1 - start[task]; delete start[task] } }
       END { printf "%.1f", s }' "$1"
}
# platform_args SET: --platform for one platform; none for several (the stack's own list).
platform_args() { platform=(); [[ "$1" == *,* ]] || platform=("--platform=$1"); }
nx_images() { local log="$1"; platform_args "$2"; shift 2; nx "$log" run-many -p "$project" -t "${image_targets[@]}" "${platform[@]}" "$@"; }
ids() { for key in "${image_targets[@]#image-}"; do node -p "require('./dist/$stack/$key/receipt.json').platforms.map((p) => p.imageId).join(' ')"; done; }
bytes() { du -sb "$@" 2>/dev/null | awk '{ s += $1 } END { print s + 0 }'; }
rows=()
row() { rows+=("$(printf '%-50s %9s %9s %9s %9s' "$1" "$2" "$3" "$4" "$(ratio "$2" "$4")")"); }

say "logs in $logs"

# No-op: everything built; nx takes every image task from its cache and finds the builders up to date.
say "no-op runs (the first one brings everything up to date)..."
nx noop-warmup run-many -t build-image create-builder
for mode in off on; do
  daemon=false; [[ "$mode" == on ]] && daemon=true
  [[ "$daemon" == true ]] && NX_DAEMON=true node_modules/.bin/nx show projects >/dev/null 2>&1
  nx_walls=() show_walls=()
  for ((i = 1; i <= runs; i++)); do
    t="$(now)"; NX_DAEMON=$daemon nx "noop-daemon-$mode-$i" run-many -t build-image create-builder; nx_walls+=("$(since "$t")")
    t="$(now)"; NX_DAEMON=$daemon node_modules/.bin/nx show projects >/dev/null 2>&1; show_walls+=("$(since "$t")")
  done
  row "no-op build-image create-builder, daemon $mode" "$(median "${nx_walls[@]}")" "-" "$(median "${show_walls[@]}")"
done
node_modules/.bin/nx daemon --stop >/dev/null 2>&1 || true

platform_sets=("$native")
[[ "${BENCH_ARM64:-1}" != 0 ]] && platform_sets+=(linux/arm64 "linux/amd64,linux/arm64")
push_notes=()
for set in "${platform_sets[@]}"; do
  say "cold, ${set}: plain BuildKit..."; cold; t="$(now)"; plain "$set" "cold-${set//[\/,]/_}"; plain_s="$(since "$t")"
  say "cold, ${set}: nx..."; cold; t="$(now)"; nx_images "cold-${set//[\/,]/_}" "$set" --skip-nx-cache; nx_s="$(since "$t")"
  row "cold, $set" "$nx_s" "$nx_run" "$plain_s"
  push_notes+=("cold, $set: $(push_seconds "$logs/nx-cold-${set//[\/,]/_}.log") s pushing to the cache registry, summed over the image tasks")
done

# Nothing changed, Nx cache cleared: every task runs on a warm BuildKit cache and must give the same images.
say "nothing changed, Nx cache cleared..."
before="$(ids)"
node_modules/.bin/nx reset --onlyCache >"$logs/nx-reset.log" 2>&1
t="$(now)"; nx_images warm "$set"; nx_s="$(since "$t")" nx_warm_run="$nx_run"
t="$(now)"; plain "$set" warm; plain_s="$(since "$t")"
same="different"; [[ "$(ids)" == "$before" ]] && same="identical"
row "nothing changed, Nx cache cleared ($set)" "$nx_s" "$nx_warm_run" "$plain_s"

# One Dockerfile changed: a 5 MB layer (random, so it does not compress) on top of the base run image.
run_df="$stack/base/run.Dockerfile" marker="RUN head -c 5000000 /dev/urandom > /opt/nx-cnb-bench # $$" run_bak=""
restore() {
  [[ -n "$run_bak" ]] || return 0
  if cat "$run_bak" <(printf '%s\n' "$marker") | cmp -s - "$run_df"; then cat "$run_bak" >"$run_df"
  elif grep -qxF "$marker" "$run_df"; then say "$run_df changed meanwhile; remove the line '$marker' by hand"; fi
  run_bak=""
}
trap restore EXIT
trap 'exit 130' INT TERM
say "one Dockerfile changed..."
old_manifest="$(node -p "require('./dist/$stack/run/receipt.json').platforms.map((p) => p.cached ?? '').join(' ')")"
run_bak="$logs/run.Dockerfile.orig"; cp "$run_df" "$run_bak"; printf '%s\n' "$marker" >>"$run_df"
written_before="$(bytes ${registry_dir:+"$registry_dir"} .nx/cache "dist/$stack")"
t="$(now)"; nx_images change "$set"; nx_s="$(since "$t")" nx_change_run="$nx_run"
written="$(($(bytes ${registry_dir:+"$registry_dir"} .nx/cache "dist/$stack") - written_before))"
new_manifest="$(node -p "require('./dist/$stack/run/receipt.json').platforms.map((p) => p.cached ?? '').join(' ')")"
t="$(now)"; plain "$set" change; plain_s="$(since "$t")"; restore
row "base run Dockerfile: a 5 MB layer added ($set)" "$nx_s" "$nx_change_run" "$plain_s"
# The layers of the new run image that the old one lacks, at the size the cache registry stores them.
new_layers="$(node bench/new-layers.js "$old_manifest" "$new_manifest" 2>"$logs/new-layers.log" || echo 0)"

# The image targets themselves: Nx passes --platform to the targets named, not to those they depend on.
say "final nx run, cleanup..."; nx_images final "$set"
mapfile -t plain_refs < <(docker image ls --format '{{.Repository}}:{{.Tag}}' | grep "^${plain_repo}/" || true)
((${#plain_refs[@]} == 0)) || docker rmi "${plain_refs[@]}" >/dev/null

echo
echo "machine: $(nproc) CPUs, $(free -g | awk '/^Mem/ { print $2 }') GB RAM, $native; $(docker version -f 'docker CLI {{.Client.Version}}, engine {{.Server.Version}}'); nx $(node -p "require('nx/package.json').version")"
echo
printf '%-50s %9s %9s %9s %9s\n' scenario "nx s" "nx-run s" "plain s" "nx/plain"
printf '%s\n' "${rows[@]}"
echo "(nx s: wall time of the whole nx command; nx-run s: nx's own \"Run duration\"; the ratio uses wall times."
echo " plain: bench/plain-buildkit.js, or for the no-op rows \`nx show projects\` in the same daemon mode)"
printf '%s\n' "${push_notes[@]}"
echo "image IDs after clearing the Nx cache and rebuilding: ${same}"
echo "one Dockerfile changed: nx-cnb wrote $written bytes (registry, Nx cache, dist); the new layers are $new_layers bytes in the registry ($(ratio "$written" "$new_layers")x)"
echo "bench took $(since "$bench_started") s; logs in $logs"
