# shellcheck shell=bash
# Shared by the benchmarks that build cold: source it, then call
# `cold_init BASE_IMAGE` once and `cold_clean TAG...` before each cold run.
# The base image is debootstrapped, not pullable: it survives every clean.

say() { echo "bench: $*" >&2; }
die() { say "$*"; exit 1; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

cold_init() {
  base="$1"
  base_id="$(docker image inspect -f '{{.Id}}' "$base" 2>/dev/null)" || die "no $base; run: bash tools/provision.sh"
}
check_base() { [[ "$(docker image inspect -f '{{.Id}}' "$base" 2>/dev/null)" == "$base_id" ]] || die "$base changed or vanished"; }

# Images the classic builder could reuse: descendants of the base image, and parentless
# COPY images (a FROM scratch step hits the cache by content checksum alone).
cache_sources() {
  local all=()
  mapfile -t all < <(docker image ls -aq --no-trunc | sort -u)
  ((${#all[@]})) || return 0
  docker image inspect -f '{{.Id}}|{{.Parent}}|{{json .ContainerConfig.Cmd}}' "${all[@]}" 2>/dev/null | awk -F'|' -v base="$base_id" '
    { par[$1] = $2; if ($2 == "" && $0 ~ /#\(nop\) COPY/) m[$1] = 1 }
    END {
      do { ch = 0; for (i in par) if (!(i in m) && i != base && (par[i] in m || par[i] == base)) { m[i] = 1; ch = 1 } } while (ch)
      for (i in m) print i
    }' || true
}

# cold_clean TAG...: removes the given tags (a benchmark's own images), nx's images of
# the stack (the caller's $stack) named by its receipts, and every image that could
# give a layer-cache hit.
cold_clean() {
  local f ids=() references=()
  # nx's tags may name an image loaded from image.tar (no parent): drop them by name.
  for f in "dist/${stack:?}"/*/receipt.json; do
    [[ -f "$f" ]] || continue
    mapfile -t references < <(node -p "require('./$f').references.join('\n')")
    docker rmi -f "${references[@]}" >/dev/null 2>&1 || true
  done
  docker rmi -f "$@" >/dev/null 2>&1 || true
  for _ in 1 2 3 4 5; do # a few passes instead of ordering children first
    mapfile -t ids < <(cache_sources)
    ((${#ids[@]})) || break
    docker rmi -f "${ids[@]}" >/dev/null 2>&1 || true
  done
  docker image prune -f >/dev/null # untagged BuildKit images (jam's) too
  [[ -z "$(cache_sources)" ]] || die "images that give cache hits survived: $(cache_sources | tr '\n' ' ')"
  check_base
}
