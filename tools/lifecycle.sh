#!/usr/bin/env bash
# Builds the CNB lifecycle from source and packages it as the tarball that a
# pack builder.toml accepts as `[lifecycle] uri = "file:///...tgz"`. Prints the
# absolute path of the tarball as the LAST line of stdout (logs go to stderr).
#
#   tools/lifecycle.sh [ARCH]      ARCH: amd64 (default), arm64, ppc64le, s390x
#
# The tarball is laid out like the official release (lifecycle's
# `make build-linux-<arch> package-linux-<arch>`):
#   lifecycle.toml          [apis] buildpack/platform supported+deprecated lists,
#                           [api] (RFC-0011 compat), [lifecycle] version
#   lifecycle/lifecycle     the multi-call binary
#   lifecycle/launcher      built separately (it is the only binary copied into app images)
#   lifecycle/{detector,analyzer,restorer,builder,exporter,rebaser,creator,extender}
#                           symlinks to `lifecycle`, which dispatches on argv[0]
# pack (internal/builder/lifecycle.go) rejects a tarball without lifecycle.toml
# or without detector, restorer, analyzer, builder, exporter, launcher, creator.
#
# Cached at ${NX_CNB_CACHE:-<repo>/.cache}/tools/lifecycle-<version>/lifecycle-v<version>+linux.<arch>.tgz
#
# Environment:
#   NX_CNB_CACHE               cache root (default: <git toplevel of this script>/.cache)
#   NX_CNB_LIFECYCLE_VERSION   version to build (default: the pin below)
#   GO                         go binary to use (default: `go` on PATH, then /usr/local/go/bin/go)
set -euo pipefail

# Pinned in packages/nx-cnb/src/versions.json: the proxy refuses to list
# versions (`go list -m -versions` answers 403), so the version cannot be
# discovered at run time; bump it by hand. 0.21.14 is the newest 0.21.x that builds through the proxy here: 0.21.15 and
# 0.21.16 are refused (403), and 0.21.17 needs
# github.com/osscontainertools/kaniko v1.28.3, which the proxy refuses (403).
source "$(dirname "${BASH_SOURCE[0]}")/versions.sh"
LIFECYCLE_PIN="$(pinned_version lifecycle)"
readonly LIFECYCLE_PIN
readonly LIFECYCLE_MODULE="github.com/buildpacks/lifecycle"
# Phases served by the `lifecycle` binary through symlinks (lifecycle Makefile,
# target build-<os>-<arch>-symlinks).
readonly PHASES=(detector analyzer restorer builder exporter rebaser creator extender)

log() { printf 'lifecycle.sh: %s\n' "$*" >&2; }
die() { printf 'lifecycle.sh: error: %s\n' "$*" >&2; exit 1; }

[[ $# -le 1 ]] || die "usage: $(basename "$0") [amd64|arm64|ppc64le|s390x]"
arch="${1:-amd64}"
case "$arch" in
  amd64 | arm64 | ppc64le | s390x) ;;
  x86-64 | x86_64) arch=amd64 ;;
  aarch64) arch=arm64 ;;
  *) die "unsupported architecture '$arch' (expected amd64, arm64, ppc64le or s390x)" ;;
esac

version="${NX_CNB_LIFECYCLE_VERSION:-$LIFECYCLE_PIN}"
version="${version#v}"
[[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] \
  || die "NX_CNB_LIFECYCLE_VERSION must look like 0.21.14, got '$version'"

source "$(dirname "${BASH_SOURCE[0]}")/go-build.sh"
dest_dir="$(tool_dir lifecycle "$version")"
dest="$dest_dir/lifecycle-v${version}+linux.${arch}.tgz"

print_cached_or_lock "$dest" "$dest_dir/.lock.$arch"

find_go "lifecycle ${version}"

log "building lifecycle ${version} for linux/${arch} from ${LIFECYCLE_MODULE}@v${version} (first run only, takes a few minutes)"
download_module "$LIFECYCLE_MODULE" "$version"
# The Makefile stamps `git rev-parse --short HEAD`; the proxy records the tag's
# commit, so `lifecycle -version` prints <version>+<commit> like a release.
commit="$(sed -n 's/^[[:space:]]*"Hash": "\([0-9a-f]\{7\}\)[0-9a-f]*",\{0,1\}$/\1/p' <<<"$dl_json" | head -n1)"

writable_module_copy lifecycle

# The ldflags of lifecycle's Makefile (LDFLAGS), with SCM_REPO/SCM_COMMIT/
# LIFECYCLE_VERSION filled in.
ldflags="-s -w"
ldflags+=" -X 'github.com/buildpacks/lifecycle/cmd.SCMRepository=${LIFECYCLE_MODULE}'"
[[ -n "$commit" ]] && ldflags+=" -X 'github.com/buildpacks/lifecycle/cmd.SCMCommit=${commit}'"
ldflags+=" -X 'github.com/buildpacks/lifecycle/cmd.Version=${version}'"

out="$work/out/linux-$arch/lifecycle"
mkdir -p "$out"
for bin in lifecycle launcher; do
  log "go build ./cmd/$bin (linux/$arch)"
  (cd "$work/src" && GOOS=linux GOARCH="$arch" "$GO" build -trimpath -ldflags "$ldflags" -o "$out/$bin" "./cmd/$bin") >&2 \
    || die "go build of lifecycle ${version} ./cmd/${bin} for linux/${arch} failed (see output above)"
done
for phase in "${PHASES[@]}"; do
  ln -sf lifecycle "$out/$phase"
done
# The Makefile fails a launcher over 3 MiB (it is copied into every app image);
# only warn here.
launcher_mib="$(du -m "$out/launcher" | cut -f1)"
((launcher_mib <= 3)) || log "warning: launcher is ${launcher_mib} MiB, lifecycle's Makefile expects <= 3 MiB"

# Package with the lifecycle's own packager (tools/packager, as `make
# package-linux-<arch>` does): it fills lifecycle.toml's template from the api
# package (api/apis.go), so the descriptor states exactly the APIs this source
# supports, and writes a normalised tar (uid/gid 0, fixed mtimes).
tgz="$work/out/lifecycle.tgz"
(cd "$work/src" && "$GO" run ./tools/packager \
  -inputDir "$out" -archivePath "$tgz" -descriptorPath lifecycle.toml -version "$version") >&2 \
  || die "packaging lifecycle ${version} with tools/packager failed (see output above)"

# Check what pack will check, so a bad tarball fails here rather than in
# `pack builder create`.
listing="$(tar -tzf "$tgz")" || die "packaged tarball $tgz is not a readable .tgz"
for entry in lifecycle.toml lifecycle/lifecycle lifecycle/launcher "${PHASES[@]/#/lifecycle/}"; do
  grep -qx "$entry" <<<"$listing" || die "packaged tarball lacks '$entry'"
done
descriptor="$(tar -xzOf "$tgz" lifecycle.toml)"
grep -q "^  version = \"${version}\"" <<<"$descriptor" \
  || die "lifecycle.toml in the tarball does not state version ${version}:
$descriptor"
if [[ "$arch" == "$("$GO" env GOHOSTARCH)" ]]; then
  built_version="$("$out/lifecycle" -version 2>&1 || true)"
  [[ "$built_version" == "$version" || "$built_version" == "$version+"* ]] \
    || die "built lifecycle reports version '${built_version}', expected '${version}'"
fi

install_in_cache "$tgz" "$dest"
(cd "$dest_dir" && sha256sum "$(basename "$dest")" >"$(basename "$dest").sha256")
log "cached lifecycle ${version} (linux/${arch}) at $dest"
printf '%s\n' "$dest"
