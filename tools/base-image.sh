#!/usr/bin/env bash
# Makes the Debian base image the workspace's stacks build FROM, for every
# platform they build: no public image registry is reachable, so each
# platform's root filesystem comes from Debian's mirror with debootstrap.
#
# Where it goes:
#   127.0.0.1:5000/nx-cnb/debian:<suite>   one multi-platform reference (an OCI
#       index in the local registry), as debian:<suite> is on Docker Hub:
#       BuildKit picks each build's platform from it, so one base_image serves
#       every platform, including FROM --platform=$BUILDPLATFORM stages
#   nx-cnb/debian:<suite>                  the engine's own platform, in the engine
#   nx-cnb/debian:<suite>-linux-<arch>     each platform, in the engine
#
# Each rootfs tarball is cached in $(cache_dir)/rootfs/, keyed by suite,
# variant, architecture and format, so another setup skips debootstrap.
# Foreign architectures need QEMU (tools/qemu.sh) for debootstrap's second stage.
#
# Env:
#   NX_CNB_DEBIAN_SUITE      suite (default: debianSuite in packages/nx-cnb/src/versions.json)
#   NX_CNB_BASE_PLATFORMS    platforms (default "linux/amd64 linux/arm64")
#   NX_CNB_REGISTRY_PORT     the local registry's port (default 5000)
#   NX_CNB_DEBIAN_MIRROR     mirror (default http://deb.debian.org/debian)
set -euo pipefail
tools="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "${tools}/lib.sh"
source "${tools}/versions.sh"
load_engine_env

suite="${NX_CNB_DEBIAN_SUITE:-$(pinned_version debianSuite)}"
image="nx-cnb/debian:${suite}"
registry_image="127.0.0.1:${NX_CNB_REGISTRY_PORT:-5000}/${image}"
read -r -a platforms <<<"${NX_CNB_BASE_PLATFORMS:-linux/amd64 linux/arm64}"
variant=minbase
mirror="${NX_CNB_DEBIAN_MIRROR:-http://deb.debian.org/debian}"

engine_answers || die "no Docker engine answers on ${DOCKER_HOST:-unix://${NX_CNB_DEFAULT_DOCKER_SOCK}}; run tools/engine.sh first"
engine_platform="$(docker version --format '{{.Server.Os}}/{{.Server.Arch}}')"

# Bumped when the way the rootfs is packed changes, so engines and the registry get it anew.
rootfs_format=3
rootfs_id() { printf 'debian-%s-%s-%s-v%s' "$suite" "$variant" "${1##*/}" "$rootfs_format"; }

# Fast path: every platform's image carries this format's label and the registry serves them all.
labelled() { [[ "$(docker image inspect "$1" --format '{{index .Config.Labels "org.nx-cnb.rootfs"}}' 2>/dev/null)" == "$2" ]]; }
index_complete() {
  local manifest platform
  manifest="$(curl -fsS -m 5 -H 'Accept: application/vnd.oci.image.index.v1+json' \
    "http://127.0.0.1:${NX_CNB_REGISTRY_PORT:-5000}/v2/${image%:*}/manifests/${image##*:}" 2>/dev/null)" || return 1
  for platform in "${platforms[@]}"; do
    labelled "${image}-${platform//\//-}" "$(rootfs_id "$platform")" || return 1
    grep -q "\"architecture\":\"${platform#*/}\"" <<<"$manifest" || return 1
  done
}
if labelled "$image" "$(rootfs_id "$engine_platform")" && index_complete; then
  exit 0
fi

started="$(now)"
rootfs_dir="$(cache_dir)/rootfs"
mkdir -p "$rootfs_dir"
workdir=""
cleanup() {
  [[ -n "$workdir" && -d "$workdir" ]] || return 0
  # debootstrap mounts proc/sys inside the target; a failed run can leave them
  # mounted and rm -rf would then walk into the host's /proc.
  local m
  while read -r m; do
    umount -l "$m" 2>/dev/null || true
  done < <(awk -v d="$workdir" 'index($2, d) == 1 { print $2 }' /proc/mounts | sort -r)
  rm -rf --one-file-system "$workdir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# build_rootfs_tarball ARCH TARBALL
build_rootfs_tarball() {
  local arch="$1" tarball="$2"
  need_root_or_die "debootstrap of ${suite} for ${arch}"
  apt_install debootstrap debian-archive-keyring
  [[ "$arch" == "$(dpkg --print-architecture)" ]] || bash "${tools}/qemu.sh"
  # Inside the cache dir rather than /tmp: /tmp may be a nodev/noexec tmpfs,
  # which breaks debootstrap's chroot (device nodes, executing maintainer scripts).
  workdir="$(mktemp -d "${rootfs_dir}/.debootstrap.XXXXXX")"
  local target="${workdir}/rootfs"

  log "debootstrap --arch=${arch} --variant=${variant} ${suite} from ${mirror} (takes a few minutes)"
  if ! debootstrap --arch="$arch" --variant="$variant" --include=ca-certificates \
    "$suite" "$target" "$mirror" >"${workdir}/debootstrap.log" 2>&1; then
    log "ERROR: debootstrap of ${suite} (${arch}) from ${mirror} failed; last lines of its log:"
    tail -n 20 "${workdir}/debootstrap.log" >&2 || true
    [[ -f "${target}/debootstrap/debootstrap.log" ]] && tail -n 20 "${target}/debootstrap/debootstrap.log" >&2
    exit 1
  fi

  # Full apt sources (debootstrap only writes the main suite) so security
  # and point-release fixes are installable in Dockerfiles built FROM it.
  cat >"${target}/etc/apt/sources.list" <<EOF
deb http://deb.debian.org/debian ${suite} main
deb http://deb.debian.org/debian ${suite}-updates main
deb http://deb.debian.org/debian-security ${suite}-security main
EOF

  # Container tweaks as in Debian's official images: never start services
  # from maintainer scripts, and don't keep downloaded .debs.
  cat >"${target}/usr/sbin/policy-rc.d" <<'EOF'
#!/bin/sh
exit 101
EOF
  chmod 0755 "${target}/usr/sbin/policy-rc.d"
  cat >"${target}/etc/apt/apt.conf.d/docker-clean" <<'EOF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
EOF

  # Drop host-specific and cache content: the engine provides resolv.conf,
  # hostname and hosts; package lists would be stale anyway.
  rm -rf "${target}"/var/lib/apt/lists/* "${target}"/var/cache/apt/archives/*.deb \
    "${target}"/var/cache/apt/*.bin "${target}"/var/log/* "${target}"/tmp/* "${target}"/var/tmp/*
  : >"${target}/etc/resolv.conf"
  : >"${target}/etc/hostname"
  rm -rf "${target:?}/debootstrap"

  log "packing rootfs into ${tarball}"
  # /dev, /proc, /sys contents come from the runtime; numeric owners so the
  # host's passwd does not remap files. Entries are named "etc/passwd", not
  # "./etc/passwd": tools that read image layers by name (jam) expect that.
  local entries=()
  mapfile -t entries < <(cd "$target" && ls -A)
  tar --numeric-owner --exclude='dev/*' --exclude='proc/*' --exclude='sys/*' \
    -C "$target" -cf "${workdir}/rootfs.tar" "${entries[@]}" || die "tar of ${target} failed"
  # Atomic: a killed run never leaves a truncated tarball in the cache.
  mv "${workdir}/rootfs.tar" "$tarball"
  cleanup
  workdir=""
}

# load_rootfs PLATFORM TARBALL REFERENCE: `docker load`s the rootfs as a
# one-layer image whose config names the platform (docker import labels every
# image with the engine's own platform, and BuildKit then looks elsewhere).
load_rootfs() {
  local platform="$1" tarball="$2" reference="$3" arch="${1#*/}" work diff_id config_id arch_variant=""
  work="$(mktemp -d "${rootfs_dir}/.load.XXXXXX")"
  diff_id="$(sha256sum "$tarball" | cut -d' ' -f1)"
  mkdir "${work}/${diff_id}"
  ln "$tarball" "${work}/${diff_id}/layer.tar" 2>/dev/null || cp "$tarball" "${work}/${diff_id}/layer.tar"
  [[ "$arch" == arm64 ]] && arch_variant=',"variant":"v8"'
  cat >"${work}/config.json" <<EOF
{"architecture":"${arch}"${arch_variant},"os":"linux","created":"1970-01-01T00:00:00Z",
 "config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],"Cmd":["bash"],"Labels":{"org.nx-cnb.rootfs":"$(rootfs_id "$platform")"}},
 "rootfs":{"type":"layers","diff_ids":["sha256:${diff_id}"]},
 "history":[{"created":"1970-01-01T00:00:00Z","created_by":"debootstrap --arch=${arch} --variant=${variant} --include=ca-certificates ${suite} ${mirror}"}]}
EOF
  config_id="$(sha256sum "${work}/config.json" | cut -d' ' -f1)"
  mv "${work}/config.json" "${work}/${config_id}.json"
  printf '[{"Config":"%s.json","RepoTags":["%s"],"Layers":["%s/layer.tar"]}]\n' "$config_id" "$reference" "$diff_id" >"${work}/manifest.json"
  tar -C "$work" -cf - manifest.json "${config_id}.json" "$diff_id" | docker load -q >/dev/null || die "docker load of ${tarball} as ${reference} failed"
  rm -rf "$work"
}

pushes=()
for platform in "${platforms[@]}"; do
  arch="${platform#*/}"
  tarball="${rootfs_dir}/$(rootfs_id "$platform").tar"
  if [[ -s "$tarball" ]]; then
    log "reusing cached rootfs ${tarball}"
  else
    build_rootfs_tarball "$arch" "$tarball"
  fi
  local_ref="${image}-${platform//\//-}"
  load_rootfs "$platform" "$tarball" "$local_ref"
  [[ "$platform" == "$engine_platform" ]] && docker tag "$local_ref" "$image"
  docker tag "$local_ref" "${registry_image}-${platform//\//-}"
  docker push -q "${registry_image}-${platform//\//-}" >/dev/null || die "docker push of ${registry_image}-${platform//\//-} failed (is the registry up? bash tools/registry.sh)"
  pushes+=("${platform}=${registry_image}-${platform//\//-}")
done
labelled "$image" "$(rootfs_id "$engine_platform")" ||
  die "none of the platforms (${platforms[*]}) is the engine's own (${engine_platform}); add it to NX_CNB_BASE_PLATFORMS"

digest="$(cd "${tools}/.." && node -r @swc-node/register tools/registry-index.ts "$registry_image" "${pushes[@]}")" ||
  die "writing the index ${registry_image} failed"

# Smoke test: proves the engine can run containers from each platform's image.
for platform in "${platforms[@]}"; do
  out="$(docker run --rm --platform "$platform" "${image}-${platform//\//-}" uname -m 2>&1)" ||
    die "image ${image}-${platform//\//-} was loaded but running it failed: ${out}"
done
log "${image} ready for ${platforms[*]} (${registry_image}@${digest}) in $(elapsed_since "$started")"
