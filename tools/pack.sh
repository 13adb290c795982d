#!/usr/bin/env bash
# Makes the `pack` CLI (Cloud Native Buildpacks) available and prints the
# absolute path of the binary as the LAST line of stdout (logs go to stderr).
#
#   tools/pack.sh            -> /path/to/pack
#
# Order of preference:
#   1. a `pack` already on PATH whose version is >= 0.40 (the user keeps theirs);
#   2. a binary cached at ${NX_CNB_CACHE:-<repo>/.cache}/tools/pack-<version>/pack;
#   3. otherwise build the pinned version from source fetched through the Go
#      module proxy (GitHub release downloads are not reachable everywhere, the
#      Go module proxy is), then cache it.
#
# Environment:
#   NX_CNB_CACHE          cache root (default: <git toplevel of this script>/.cache)
#   NX_CNB_PACK_VERSION   version to build (default: the pin below)
#   GO                    go binary to use (default: `go` on PATH, then /usr/local/go/bin/go)
set -euo pipefail

# Pinned in packages/nx-cnb/src/versions.json: the proxy refuses to list
# versions (`go list -m -versions` answers 403), so the version cannot be
# discovered at run time; bump it by hand.
source "$(dirname "${BASH_SOURCE[0]}")/versions.sh"
PACK_PIN="$(pinned_version pack)"
readonly PACK_PIN
# A pack on PATH at least this new (major.minor) is used as is.
readonly PACK_MIN_MINOR="0.40"
readonly PACK_MODULE="github.com/buildpacks/pack"

log() { printf 'pack.sh: %s\n' "$*" >&2; }
die() { printf 'pack.sh: error: %s\n' "$*" >&2; exit 1; }

version="${NX_CNB_PACK_VERSION:-$PACK_PIN}"
version="${version#v}"
[[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] \
  || die "NX_CNB_PACK_VERSION must look like 0.40.6, got '$version'"

# True when version $1 (e.g. "0.40.6+git-abc.build-1") is >= major.minor $2.
version_at_least() {
  local have="${1#v}" want="$2"
  have="${have%%[-+ ]*}"
  local hmaj hmin wmaj wmin
  IFS=. read -r hmaj hmin _ <<<"$have"
  IFS=. read -r wmaj wmin <<<"$want"
  [[ "$hmaj" =~ ^[0-9]+$ && "$hmin" =~ ^[0-9]+$ ]] || return 1
  ((10#$hmaj > 10#$wmaj || (10#$hmaj == 10#$wmaj && 10#$hmin >= 10#$wmin)))
}

# 1. Respect a user's own, recent enough pack.
if existing="$(command -v pack 2>/dev/null)"; then
  # `timeout` guards against a wedged binary; not every system has it (macOS).
  with_timeout=()
  command -v timeout >/dev/null 2>&1 && with_timeout=(timeout 30)
  existing_version="$("${with_timeout[@]}" "$existing" version 2>/dev/null | head -n1 || true)"
  if version_at_least "$existing_version" "$PACK_MIN_MINOR"; then
    log "using pack ${existing_version} already on PATH"
    printf '%s\n' "$(cd "$(dirname "$existing")" && pwd -P)/$(basename "$existing")"
    exit 0
  fi
  log "ignoring pack on PATH ($existing, version '${existing_version:-unknown}'): need >= ${PACK_MIN_MINOR}"
fi

source "$(dirname "${BASH_SOURCE[0]}")/go-build.sh"
dest_dir="$(tool_dir pack "$version")"
dest="$dest_dir/pack"

print_cached_or_lock "$dest" "$dest_dir/.lock"

# 3. Build from source.
find_go "pack ${version}"

log "building pack ${version} from ${PACK_MODULE}@v${version} (first run only, takes a few minutes)"
download_module "$PACK_MODULE" "$version"

writable_module_copy pack

# Same version variable as pack's Makefile (`make build`), so `pack version`
# prints the real version instead of 0.0.0.
ldflags="-s -w -X 'github.com/buildpacks/pack/pkg/client.Version=${version}'"
build_tool_binary pack "$version" "$ldflags" "$version" "$dest"
