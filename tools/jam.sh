#!/usr/bin/env bash
# Makes Paketo's `jam` CLI available (used by bench/jam.sh to compare with
# `jam create-stack`) and prints the absolute path of the binary as the LAST
# line of stdout (logs go to stderr).
#
#   tools/jam.sh            -> /path/to/jam
#
# Built from source fetched through the Go module proxy (GitHub release
# downloads are not reachable everywhere), cached at
# ${NX_CNB_CACHE:-<repo>/.cache}/tools/jam-<version>/jam.
#
# Environment:
#   NX_CNB_CACHE         cache root (default: <git toplevel of this script>/.cache)
#   NX_CNB_JAM_VERSION   version to build (default: the pin below)
#   GO                   go binary to use (default: `go` on PATH, then /usr/local/go/bin/go)
set -euo pipefail

# Pinned by hand in packages/nx-cnb/src/versions.json: the proxy refuses to
# list versions (403). 1.7.0 (Feb 2023)
# is the newest jam the proxy here serves: every version of the v2 module path
# github.com/paketo-buildpacks/jam/v2 (v2.1.1 ... v2.17.3) answers 403 "This
# module version is not available", and v2.0.0/v2.1.0 still declare the v1 path
# in their go.mod, so no module path can fetch them.
source "$(dirname "${BASH_SOURCE[0]}")/versions.sh"
JAM_PIN="$(pinned_version jam)"
readonly JAM_PIN

log() { printf 'jam.sh: %s\n' "$*" >&2; }
die() { printf 'jam.sh: error: %s\n' "$*" >&2; exit 1; }

version="${NX_CNB_JAM_VERSION:-$JAM_PIN}"
version="${version#v}"
[[ "$version" =~ ^([0-9]+)\.[0-9]+\.[0-9]+$ ]] \
  || die "NX_CNB_JAM_VERSION must look like 1.7.0, got '$version'"
# Semantic import versioning: jam >= 2.1.1 lives at .../jam/v2.
module="github.com/paketo-buildpacks/jam"
[[ "${BASH_REMATCH[1]}" -ge 2 ]] && module+="/v${BASH_REMATCH[1]}"

source "$(dirname "${BASH_SOURCE[0]}")/go-build.sh"
dest_dir="$(tool_dir jam "$version")"
dest="$dest_dir/jam"

print_cached_or_lock "$dest" "$dest_dir/.lock"

find_go "jam ${version}"
log "building jam ${version} from ${module}@v${version} (first run only, takes a few minutes)"
download_module "$module" "$version"

writable_module_copy jam

# Same version variable as jam's scripts/package.sh, so `jam version` is not empty.
ldflags="-s -w -X '${module}/commands.jamVersion=${version}'"
build_tool_binary jam "$version" "$ldflags" "jam ${version}" "$dest"
