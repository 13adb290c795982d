#!/usr/bin/env bash
# Makes foreign platforms runnable on this machine: QEMU's user-mode emulators
# (Debian's qemu-user-static) registered with binfmt_misc, so the engine can
# run, and BuildKit can build, images of other architectures (linux/arm64 on
# an amd64 host, and the reverse).
#
# Containers need the F (fix binary) flag: the kernel then opens the emulator
# when it is registered, not inside each container's filesystem. Debian's
# qemu-user-static registers with it; this script checks it.
#
# Only this machine is set up: an engine elsewhere (DOCKER_HOST=tcp://...)
# needs the same on its own host.
#
# Env:
#   NX_CNB_QEMU_ARCHES   architectures to check (default: arm64 amd64, minus this host's own)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

binfmt=/proc/sys/fs/binfmt_misc

# The binfmt_misc entry name of an architecture, as qemu-user-static registers it.
qemu_entry() {
  case "$1" in
    amd64) echo qemu-x86_64 ;;
    arm64) echo qemu-aarch64 ;;
    arm) echo qemu-arm ;;
    ppc64le) echo qemu-ppc64le ;;
    s390x) echo qemu-s390x ;;
    riscv64) echo qemu-riscv64 ;;
    *) die "no QEMU entry known for architecture '$1'" ;;
  esac
}

host_arch="$(dpkg --print-architecture 2>/dev/null || uname -m)"
case "$host_arch" in x86_64) host_arch=amd64 ;; aarch64) host_arch=arm64 ;; esac
read -r -a arches <<<"${NX_CNB_QEMU_ARCHES:-arm64 amd64}"

# registered ARCH: true when the emulator entry is enabled and has the F flag.
registered() {
  local entry
  entry="${binfmt}/$(qemu_entry "$1")"
  [[ -r "$entry" ]] && grep -qx enabled "$entry" && grep -q '^flags: .*F' "$entry"
}

missing=()
for arch in "${arches[@]}"; do
  [[ "$arch" == "$host_arch" ]] && continue
  registered "$arch" || missing+=("$arch")
done
((${#missing[@]} == 0)) && exit 0

need_root_or_die "registering QEMU for ${missing[*]} (binfmt_misc)"
started="$(now)"
apt_install qemu-user-static binfmt-support
if ! mountpoint -q "$binfmt"; then
  log "mounting binfmt_misc at ${binfmt}"
  mount -t binfmt_misc binfmt_misc "$binfmt" || die "cannot mount binfmt_misc at ${binfmt} (a container without the privilege to do so needs its host to do it)"
fi
update-binfmts --enable >/dev/null 2>&1 || true
for arch in "${missing[@]}"; do
  registered "$arch" || die "QEMU for ${arch} is not registered with the F flag in ${binfmt}/$(qemu_entry "$arch") after update-binfmts --enable; containers of that architecture cannot run"
done
log "QEMU registered for ${missing[*]} in $(elapsed_since "$started")"
