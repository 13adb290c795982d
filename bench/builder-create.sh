#!/usr/bin/env bash
# Builder creation, side by side: the dogfood builder (two platforms, each
# published, then an index) through nx, made anew and with nothing changed,
# against the same `pack builder create` commands run directly; then the
# layer count and time of builders made of 5 and of 50 generated buildpacks,
# with and without flattening (each composite with its components in one layer).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
eval "$(bash tools/provision.sh 2>/dev/null)"
source tools/versions.sh
lifecycle_version="$(pinned_version lifecycle)"
runs="${BENCH_RUNS:-3}"
nx=(node_modules/.bin/nx)
work="$(mktemp -d)"
trap 'rm -rf "$work"; docker image rm -f $(docker image ls -q "nx-cnb-bench/*" 2>/dev/null) >/dev/null 2>&1 || true' EXIT

seconds() { local start=$EPOCHREALTIME; "$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; exit 1; }; awk -v a="$EPOCHREALTIME" -v b="$start" 'BEGIN { printf "%.2f", a - b }'; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
layers() { docker image inspect "$1" --format '{{len .RootFS.Layers}}'; }

"${nx[@]}" run-many -t build-image create-builder --outputStyle=stream >/dev/null
# The dogfood builder serves two platforms: nx-cnb has pack create each in the registry, then writes an index.
receipt="$root/dist/builders/debian-bookworm/builder/receipt.json"
source bench/builder-direct.sh
nx_times=(); pack_times=(); same_times=()
for _ in $(seq "$runs"); do
  forget_index
  nx_times+=("$(seconds "${nx[@]}" run debian-bookworm-builder:create-builder --outputStyle=stream)")
  same_times+=("$(seconds "${nx[@]}" run debian-bookworm-builder:create-builder --outputStyle=stream)")
  pack_times+=("$(seconds pack_direct)")
done
nx_s="$(printf '%s\n' "${nx_times[@]}" | median)"
same_s="$(printf '%s\n' "${same_times[@]}" | median)"
pack_s="$(printf '%s\n' "${pack_times[@]}" | median)"

# Generated buildpacks: composites of up to 10 components, like a language family.
make_builder() { # $1 = number of buildpacks, $2 = folder
  local n="$1" dir="$2" i c
  mkdir -p "$dir"
  {
    echo '[build]'; echo '  image = "debian-bookworm-build:latest"'
    echo '[[run.images]]'; echo '  image = "debian-bookworm-run:latest"'
    echo '[lifecycle]'; echo "  uri = \"$NX_CNB_CACHE/tools/lifecycle-${lifecycle_version}/lifecycle-v${lifecycle_version}+linux.amd64.tgz\""
  } >"$dir/builder.toml"
  local composites=$(((n + 10) / 11)) components=$((n - (n + 10) / 11))
  for i in $(seq 1 "$components"); do
    mkdir -p "$dir/bp/c$i/bin"
    printf 'api = "0.10"\n[buildpack]\n  id = "gen/c%s"\n  version = "1.0.0"\n[[stacks]]\n  id = "*"\n' "$i" >"$dir/bp/c$i/buildpack.toml"
    printf '#!/bin/sh\nexit 0\n' | tee "$dir/bp/c$i/bin/detect" >"$dir/bp/c$i/bin/build"
    chmod +x "$dir/bp/c$i/bin/"*
    printf '[[buildpacks]]\n  uri = "./bp/c%s"\n' "$i" >>"$dir/builder.toml"
  done
  flatten=()
  for c in $(seq 1 "$composites"); do
    mkdir -p "$dir/bp/composite$c"
    printf 'api = "0.10"\n[buildpack]\n  id = "gen/composite%s"\n  version = "1.0.0"\n[[order]]\n' "$c" >"$dir/bp/composite$c/buildpack.toml"
    local members="gen/composite$c@1.0.0"
    for i in $(seq "$c" "$composites" "$components"); do
      printf '  [[order.group]]\n    id = "gen/c%s"\n    version = "1.0.0"\n' "$i" >>"$dir/bp/composite$c/buildpack.toml"
      members="$members,gen/c$i@1.0.0"
    done
    printf '[[buildpacks]]\n  uri = "./bp/composite%s"\n[[order]]\n  [[order.group]]\n    id = "gen/composite%s"\n    version = "1.0.0"\n' "$c" "$c" >>"$dir/builder.toml"
    flatten+=(--flatten "$members")
  done
}

rows=()
for n in 5 50; do
  make_builder "$n" "$work/b$n"
  plain_s="$(seconds "$NX_CNB_PACK" builder create "nx-cnb-bench/gen$n:plain" --config "$work/b$n/builder.toml" --pull-policy if-not-present)"
  flat_s="$(seconds "$NX_CNB_PACK" builder create "nx-cnb-bench/gen$n:flat" --config "$work/b$n/builder.toml" --pull-policy if-not-present "${flatten[@]}")"
  rows+=("$(printf '%-34s %10s %10s %8s %8s' "$n buildpacks ($(( (n + 10) / 11 )) composites)" "$(layers "nx-cnb-bench/gen$n:plain")" "$(layers "nx-cnb-bench/gen$n:flat")" "$plain_s" "$flat_s")")
done

echo
echo "Builder creation (median of $runs, $(nproc) cores, pack $("$NX_CNB_PACK" version))"
printf '%-44s %10s %10s %8s\n' "" "nx (s)" "pack (s)" "ratio"
printf '%-44s %10.2f %10.2f %8.2f\n' "dogfood builder (${#platforms[@]} platforms), made anew" "$nx_s" "$pack_s" "$(awk -v a="$nx_s" -v b="$pack_s" 'BEGIN { print a / b }')"
printf '%-44s %10.2f %10.2f %8.2f\n' "dogfood builder, nothing changed" "$same_s" "$pack_s" "$(awk -v a="$same_s" -v b="$pack_s" 'BEGIN { print a / b }')"
echo "(pack: the same pack builder create per platform, with the builder.toml nx-cnb wrote for it, images present; nx: the whole nx command)"
echo
printf '%-34s %10s %10s %8s %8s\n' "generated builder" "layers" "flattened" "s" "s flat"
printf '%s\n' "${rows[@]}"
