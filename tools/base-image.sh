#!/usr/bin/env bash
# Make sure the engine has a Debian base image (default nx-cnb/debian:bookworm).
# No public image registry is reachable, so the image is built from Debian's
# own mirror with debootstrap and 'docker import'ed. The rootfs tarball is
# cached in $(cache_dir)/rootfs/ (keyed by suite + variant) so another setup
# with the same cache skips debootstrap.
#
# Env:
#   NX_CNB_DEBIAN_SUITE   suite (default: debianSuite in packages/nx-cnb/src/versions.json)
#   NX_CNB_BASE_IMAGE     image name (default nx-cnb/debian:<suite>)
#   NX_CNB_DEBIAN_MIRROR  mirror (default http://deb.debian.org/debian)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/versions.sh"
load_engine_env

suite="${NX_CNB_DEBIAN_SUITE:-$(pinned_version debianSuite)}"
image="${NX_CNB_BASE_IMAGE:-nx-cnb/debian:${suite}}"
variant=minbase
mirror="${NX_CNB_DEBIAN_MIRROR:-http://deb.debian.org/debian}"

engine_answers || die "no Docker engine answers on ${DOCKER_HOST:-unix://${NX_CNB_DEFAULT_DOCKER_SOCK}}; run tools/engine.sh first"

# Bumped when the way the rootfs is packed changes, so engines re-import it.
rootfs_format=2
rootfs_id="debian-${suite}-${variant}-v${rootfs_format}"

# Fast path: the image is present and was imported from this rootfs format.
if [[ "$(docker image inspect "$image" --format '{{index .Config.Labels "org.nx-cnb.rootfs"}}' 2>/dev/null)" == "$rootfs_id" ]]; then
  exit 0
fi

started="$(now)"
rootfs_dir="$(cache_dir)/rootfs"
tarball="${rootfs_dir}/${rootfs_id}.tar"
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

build_rootfs_tarball() {
  need_root_or_die "debootstrap of ${suite}"
  apt_install debootstrap debian-archive-keyring
  # Inside the cache dir rather than /tmp: /tmp may be a nodev/noexec tmpfs,
  # which breaks debootstrap's chroot (device nodes, executing maintainer scripts).
  workdir="$(mktemp -d "${rootfs_dir}/.debootstrap.XXXXXX")"
  local target="${workdir}/rootfs"

  log "debootstrap --variant=${variant} ${suite} from ${mirror} (takes a few minutes)"
  if ! debootstrap --variant="$variant" --include=ca-certificates \
    "$suite" "$target" "$mirror" >"${workdir}/debootstrap.log" 2>&1; then
    log "ERROR: debootstrap of ${suite} from ${mirror} failed; last lines of its log:"
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
}

if [[ -s "$tarball" ]]; then
  log "reusing cached rootfs ${tarball}"
else
  build_rootfs_tarball
fi

log "docker import ${tarball} as ${image}"
docker import \
  --change 'CMD ["bash"]' \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change "LABEL org.nx-cnb.rootfs=${rootfs_id}" \
  --message "debootstrap --variant=${variant} --include=ca-certificates ${suite} ${mirror}" \
  "$tarball" "$image" >/dev/null || die "docker import of ${tarball} as ${image} failed"

# Smoke test: proves the engine can run containers from it (storage driver,
# runtime) before anything else builds on it.
if ! out="$(docker run --rm "$image" cat /etc/debian_version 2>&1)"; then
  die "image ${image} was imported but 'docker run ${image}' failed: ${out}"
fi
log "${image} ready (Debian ${out}) in $(elapsed_since "$started")"
