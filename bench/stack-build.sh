#!/usr/bin/env bash
# Benchmark: the dogfood stack (stacks/debian-bookworm) built through nx-cnb
# against the same Dockerfiles, build args and platforms sent to the same
# engine as plain BuildKit builds (bench/plain-buildkit.js: the Engine API
# request `docker buildx build` makes, nothing else), in the same run.
#
# Rows: cold for linux/amd64 alone, for linux/arm64 alone (under QEMU) and for
# both; nothing changed with the Nx cache cleared (are the image IDs the
# same?); no-op reruns with the Nx daemon off (as in CI) and on; one
# Dockerfile changed.
#   BENCH_RUNS=N    repeat the no-op rows N times and report the median (default 1)
#   BENCH_ARM64=0   skip the arm64 rows (minutes under QEMU)
#
# "Cold" empties BuildKit's cache (docker builder prune -af) and removes both
# sides' images, never the base image. Ends with an nx run, so the engine
# holds nx's images and they match the receipts.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
stack=stacks/debian-bookworm
project=debian-bookworm
runs="${BENCH_RUNS:-1}"
plain_repo=nx-cnb-bench-plain # tag prefix of the plain builds, never nx's names
logs="$(mktemp -d "${TMPDIR:-/tmp}/nx-cnb-bench.XXXXXX")"
export NX_NO_CLOUD=true NX_DAEMON=false NX_TUI=false
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
say() { echo "bench: $*" >&2; }
die() { say "$*"; exit 1; }
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { printf "%.1f", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
bench_started="$(now)"
timeout 10 docker version >/dev/null 2>&1 || die "no Docker engine answers; run: bash tools/provision.sh"
native="linux/$(docker version -f '{{.Server.Arch}}')"
mapfile -t image_targets < <(node -e 'const t = JSON.parse(process.argv[1]).targets; console.log(Object.keys(t).filter((k) => k.startsWith("image-")).join("\n"))' \
  "$(node_modules/.bin/nx show project "$project" --json)")

# Cold: no BuildKit cache, no images of either side, no nx outputs or cache entries.
cold() {
  local refs
  mapfile -t refs < <(docker image ls --format '{{.Repository}}:{{.Tag}}' | grep -E "^(${plain_repo}/|127\.0\.0\.1:5000/nx-cnb/debian-bookworm-|nx-cnb-undecorated/)" || true)
  ((${#refs[@]} == 0)) || docker rmi -f "${refs[@]}" >/dev/null
  docker builder prune -af >/dev/null
  rm -rf "dist/$stack"
  node_modules/.bin/nx reset --onlyCache >"$logs/nx-reset.log" 2>&1
}
# plain PLATFORMS LOG: the plain builds; their image IDs go to the log.
plain() { node bench/plain-buildkit.js "$stack" "$plain_repo" "$1" >"$logs/plain-$2.log" 2>&1 || die "plain BuildKit failed, see $logs/plain-$2.log"; }
# nx LOG ARGS...: one nx command; nx's own "Run duration" goes to $nx_run (seconds).
nx() {
  local log="$logs/nx-$1.log"; shift
  node_modules/.bin/nx "$@" --outputStyle=stream >"$log" 2>&1 || die "nx failed, see $log"
  nx_run="$(sed -n 's/^ *Run duration: *//p' "$log" | awk '{ for (i = 1; i <= NF; i++) { v = $i + 0
    s += $i ~ /ms$/ ? v / 1000 : $i ~ /s$/ ? v : $i ~ /m$/ ? 60 * v : $i ~ /h$/ ? 3600 * v : 0 } } END { printf "%.1f", s }')"
}
nx_images() { nx "$1" run-many -p "$project" -t "${image_targets[@]}" "${@:2}"; }
ids() { for key in "${image_targets[@]#image-}"; do node -p "require('./dist/$stack/$key/receipt.json').platforms.map((p) => p.imageId).join(' ')"; done; }
rows=()
row() { rows+=("$(printf '%-46s %9s %9s %9s %9s' "$1" "$2" "$3" "$4" "$(awk -v a="$2" -v b="$4" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }')")"); }

say "logs in $logs"
declare -A cold_nx
platform_sets=("$native")
[[ "${BENCH_ARM64:-1}" != 0 ]] && platform_sets+=(linux/arm64 "linux/amd64,linux/arm64")
for set in "${platform_sets[@]}"; do
  say "cold, ${set}: plain BuildKit..."; cold; t="$(now)"; plain "$set" "cold-${set//[\/,]/_}"; plain_s="$(since "$t")"
  say "cold, ${set}: nx..."; cold; t="$(now)"
  if [[ "$set" == *,* ]]; then nx_images "cold-${set//[\/,]/_}" --skip-nx-cache; else nx_images "cold-${set//[\/,]/_}" --skip-nx-cache "--platform=$set"; fi
  nx_s="$(since "$t")"; cold_nx[$set]="$nx_s"
  row "cold, $set" "$nx_s" "$nx_run" "$plain_s"
done

# Nothing changed, Nx cache cleared: every task runs on a warm BuildKit cache and must give the same images.
before="$(ids)"
node_modules/.bin/nx reset --onlyCache >"$logs/nx-reset.log" 2>&1
t="$(now)"; nx warm run-many -p "$project" -t build-image; nx_s="$(since "$t")" nx_warm_run="$nx_run"
set="$(node -p "require('./dist/$stack/build/receipt.json').platforms.map((p) => p.platform).join(',')")"
t="$(now)"; plain "$set" warm; plain_s="$(since "$t")"
same="different"; [[ "$(ids)" == "$before" ]] && same="identical"
row "nothing changed, nx cache cleared ($set)" "$nx_s" "$nx_warm_run" "$plain_s"

# No-op: nothing changed; nx takes every task from its cache, BuildKit hits its cache.
nx_walls=() nx_runs=() plain_walls=()
for ((i = 1; i <= runs; i++)); do
  say "no-op run $i/$runs..."
  t="$(now)"; nx "noop-$i" run-many -p "$project" -t build-image; nx_walls+=("$(since "$t")"); nx_runs+=("$nx_run")
  t="$(now)"; plain "$set" "noop-$i"; plain_walls+=("$(since "$t")")
done
row "no-op rerun, daemon off (median of $runs)" "$(median "${nx_walls[@]}")" "$(median "${nx_runs[@]}")" "$(median "${plain_walls[@]}")"
NX_DAEMON=true nx daemon-warmup run-many -p "$project" -t build-image
nx_walls=() nx_runs=()
for ((i = 1; i <= runs; i++)); do
  t="$(now)"; NX_DAEMON=true nx "noop-daemon-$i" run-many -p "$project" -t build-image; nx_walls+=("$(since "$t")"); nx_runs+=("$nx_run")
done
node_modules/.bin/nx daemon --stop >"$logs/nx-daemon-stop.log" 2>&1 || true
row "no-op rerun, Nx daemon (median of $runs)" "$(median "${nx_walls[@]}")" "$(median "${nx_runs[@]}")" "$(median "${plain_walls[@]}")"

# One Dockerfile changed (a RUN line appended to tiny's): both sides rebuild that image's last step.
tiny_df="$stack/tiny/run.Dockerfile" marker="# nx-cnb bench $$" tiny_bak=""
restore() {
  [[ -n "$tiny_bak" ]] || return 0
  if cat "$tiny_bak" <(printf '%s\n' "$marker") | cmp -s - "$tiny_df"; then cat "$tiny_bak" >"$tiny_df"
  elif grep -qxF "$marker" "$tiny_df"; then say "$tiny_df changed meanwhile; remove the line '$marker' by hand"; fi
  tiny_bak=""
}
trap restore EXIT
trap 'exit 130' INT TERM
say "one Dockerfile changed..."
tiny_bak="$logs/run.Dockerfile.orig"; cp "$tiny_df" "$tiny_bak"; printf '%s\n' "$marker" >>"$tiny_df"
t="$(now)"; nx change run-many -p "$project" -t build-image; nx_s="$(since "$t")" nx_change_run="$nx_run"
t="$(now)"; plain "$set" change; plain_s="$(since "$t")"; restore
row "tiny Dockerfile comment added ($set)" "$nx_s" "$nx_change_run" "$plain_s"

say "final nx run, cleanup..."; nx final run-many -p "$project" -t build-image
mapfile -t plain_refs < <(docker image ls --format '{{.Repository}}:{{.Tag}}' | grep "^${plain_repo}/" || true)
((${#plain_refs[@]} == 0)) || docker rmi "${plain_refs[@]}" >/dev/null

echo
echo "machine: $(nproc) CPUs, $(free -g | awk '/^Mem/ { print $2 }') GB RAM, $native; $(docker version -f 'docker CLI {{.Client.Version}}, engine {{.Server.Version}}'); nx $(node -p "require('nx/package.json').version")"
echo
printf '%-46s %9s %9s %9s %9s\n' scenario "nx s" "nx-run s" "plain s" "nx/plain"
printf '%s\n' "${rows[@]}"
echo "(nx s: wall time of the whole nx command; nx-run s: nx's own \"Run duration\"; plain: bench/plain-buildkit.js; the ratio uses wall times)"
echo "image IDs after clearing the Nx cache and rebuilding: ${same}"
if [[ -n "${cold_nx[linux/arm64]:-}" ]]; then
  echo "both platforms together: ${cold_nx[linux/amd64,linux/arm64]} s; each alone: ${cold_nx[$native]} s + ${cold_nx[linux/arm64]} s"
fi
echo "bench took $(since "$bench_started") s; logs in $logs"
