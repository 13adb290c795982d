#!/usr/bin/env bash
# Make sure a Docker engine answers. Reuses $DOCKER_HOST or /var/run/docker.sock
# when they answer; otherwise (root only) installs docker.io and starts dockerd
# in the background, detached from this script.
#
# Env:
#   NX_CNB_CACHE                   cache folder (default <repo>/.cache)
#   NX_CNB_ENGINE_TIMEOUT          seconds to wait for dockerd (default 60)
#   NX_CNB_DOCKER_STORAGE_DRIVER   force a storage driver (default: overlay2, else vfs)
#   NX_CNB_DOCKER_DATA_ROOT        dockerd --data-root (default /var/lib/docker)
#
# Writes $(cache_dir)/engine.env with the DOCKER_HOST to use (and
# NX_CNB_DOCKER_BUILD_NETWORK=host when containers can only use the host network).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

default_host="unix://${NX_CNB_DEFAULT_DOCKER_SOCK}"
env_file="$(engine_env_file)"

record_engine() {
  # $1 = DOCKER_HOST, $2 = build network ("" for the default bridge)
  local tmp="${env_file}.tmp.$$"
  {
    printf 'DOCKER_HOST=%q\n' "$1"
    if [[ -n "${2:-}" ]]; then
      printf 'NX_CNB_DOCKER_BUILD_NETWORK=%q\n' "$2"
    fi
  } >"$tmp"
  # Only rewrite when it changed, so the fast path does no disk writes.
  if [[ -f "$env_file" ]] && cmp -s "$tmp" "$env_file"; then
    rm -f "$tmp"
  else
    mv "$tmp" "$env_file"
  fi
}

# Keep the build-network hint recorded for $1 when we started that dockerd.
previous_build_network() {
  [[ -f "$env_file" ]] || return 0
  # Parsed, not sourced: sourcing would clobber this script's DOCKER_HOST.
  local recorded_host
  recorded_host="$(sed -n 's/^DOCKER_HOST=//p' "$env_file")"
  if [[ "$recorded_host" == "$1" ]]; then
    sed -n 's/^NX_CNB_DOCKER_BUILD_NETWORK=//p' "$env_file"
  fi
}

# --- fast paths: an engine already answers -----------------------------------
if [[ -n "${DOCKER_HOST:-}" ]]; then
  if engine_answers_at "$DOCKER_HOST"; then
    record_engine "$DOCKER_HOST" "$(previous_build_network "$DOCKER_HOST")"
    exit 0
  fi
  log "DOCKER_HOST=${DOCKER_HOST} does not answer; trying ${default_host}"
fi
if engine_answers_at "$default_host"; then
  [[ -n "${DOCKER_HOST:-}" ]] && log "using ${default_host} instead of DOCKER_HOST=${DOCKER_HOST}"
  record_engine "$default_host" "$(previous_build_network "$default_host")"
  exit 0
fi

# --- slow path: start our own dockerd ----------------------------------------
need_root_or_die "starting dockerd (no Docker engine answers on ${DOCKER_HOST:-$default_host})"
started="$(now)"
# iptables: docker.io depends on it, listed so a half-installed host is fixed too.
# curl: used by registry.sh and as engine probe when the docker CLI is missing.
apt_install docker.io iptables curl

cache="$(cache_dir)"
pidfile="${cache}/dockerd.pid"
logfile="${cache}/dockerd.log"
timeout_s="${NX_CNB_ENGINE_TIMEOUT:-60}"
data_root="${NX_CNB_DOCKER_DATA_ROOT:-/var/lib/docker}"

wait_for_engine() {
  # $1 = pid of the dockerd we launched; returns 1 early if it died.
  wait_while_alive "$1" "$timeout_s" engine_answers_at "$default_host"
}

fail_with_log() {
  log "ERROR: $1"
  # dockerd logs a lot of grpc chatter: show this run's errors first.
  log "errors in ${logfile} (this run):"
  awk '/^===== /{n=0; delete l} /level=(error|fatal)|failed to start/{l[++n]=$0} END{for(i=1;i<=n;i++) print l[i]}' \
    "$logfile" | tail -n 10 >&2 || true
  log "last lines of ${logfile}:"
  tail -n 8 "$logfile" >&2 || true
  exit 1
}

# Why wait_for_engine gave up: the daemon died or it is just slow.
why_down() {
  if kill -0 "$1" 2>/dev/null; then
    printf 'dockerd (pid %s) did not answer on %s within %ss' "$1" "$default_host" "$timeout_s"
  else
    printf 'dockerd exited before answering on %s' "$default_host"
  fi
}

# Another provisioning run may have launched dockerd a moment ago: wait for it
# instead of starting a second daemon on the same data root.
if pidfile_alive "$pidfile"; then
  log "dockerd (pid $(cat "$pidfile")) is starting; waiting up to ${timeout_s}s"
  wait_for_engine "$(cat "$pidfile")" || fail_with_log "$(why_down "$(cat "$pidfile")")"
  record_engine "$default_host" "$(previous_build_network "$default_host")"
  exit 0
fi

# overlay2 needs overlayfs mountable on the data root's filesystem (it is not
# on some nested/overlay-backed sandboxes); probe with a real mount instead of
# letting dockerd start and then fail on the first container.
overlay_works() {
  local probe
  mkdir -p "$data_root"
  probe="$(mktemp -d "${data_root}/.overlay-probe.XXXXXX")" || return 1
  mkdir -p "$probe"/{lower,upper,work,merged}
  local ok=1
  if mount -t overlay overlay -o "lowerdir=${probe}/lower,upperdir=${probe}/upper,workdir=${probe}/work" "${probe}/merged" 2>/dev/null; then
    ok=0
    umount "${probe}/merged" || true
  fi
  rm -rf --one-file-system "$probe"
  return "$ok"
}

# The bridge network needs working iptables NAT (dockerd also turns on
# ip_forward); without it containers get no route to deb.debian.org, so fall
# back to host networking for builds.
iptables_works() {
  iptables -t nat -L -n >/dev/null 2>&1 && iptables -t filter -L -n >/dev/null 2>&1
}

# MTU of the interface holding the default route. Docker's bridge defaults to
# 1500; when the uplink is smaller (1400 here) and PMTU discovery is filtered,
# large downloads from containers stall.
uplink_mtu() {
  local dev
  dev="$(ip -o route show default 2>/dev/null | awk '{for (i = 1; i < NF; i++) if ($i == "dev") { print $(i + 1); exit }}')"
  [[ -n "$dev" && -r "/sys/class/net/${dev}/mtu" ]] && cat "/sys/class/net/${dev}/mtu"
}

storage_driver="${NX_CNB_DOCKER_STORAGE_DRIVER:-}"
if [[ -z "$storage_driver" ]]; then
  if overlay_works; then
    storage_driver=overlay2
  else
    log "overlayfs cannot be mounted under ${data_root}; using the (slow, disk-hungry) vfs storage driver"
    storage_driver=vfs
  fi
fi

net_flags=()
build_network=""
if iptables_works; then
  mtu="$(uplink_mtu || true)"
  if [[ -n "$mtu" && "$mtu" -lt 1500 ]]; then
    net_flags+=("--mtu=${mtu}")
  fi
else
  log "iptables does not work here; starting dockerd without bridge (builds must use --network host)"
  net_flags+=(--iptables=false --ip-masq=false --bridge=none)
  build_network=host
fi

launch_dockerd() {
  local driver="$1"
  local args=(
    --host "$default_host"
    --data-root "$data_root"
    --pidfile "$pidfile"
    --storage-driver "$driver"
    "${net_flags[@]}"
  )
  log "starting dockerd ${args[*]} (log: ${logfile})"
  printf '\n===== %s dockerd %s\n' "$(date -Is)" "${args[*]}" >>"$logfile"
  # setsid + nohup: the daemon must outlive this script and its terminal.
  setsid nohup dockerd "${args[@]}" </dev/null >>"$logfile" 2>&1 &
  dockerd_pid=$!
}

dockerd_pid=""
launch_dockerd "$storage_driver"
if ! wait_for_engine "$dockerd_pid"; then
  if [[ "$storage_driver" == overlay2 && -z "${NX_CNB_DOCKER_STORAGE_DRIVER:-}" ]] && ! kill -0 "$dockerd_pid" 2>/dev/null; then
    log "dockerd exited with overlay2; retrying with vfs"
    tail -n 5 "$logfile" >&2 || true
    storage_driver=vfs
    launch_dockerd "$storage_driver"
    wait_for_engine "$dockerd_pid" || fail_with_log "$(why_down "$dockerd_pid") (vfs storage driver)"
  else
    fail_with_log "$(why_down "$dockerd_pid") (storage driver ${storage_driver})"
  fi
fi

record_engine "$default_host" "$build_network"
log "dockerd up (pid ${dockerd_pid}, storage ${storage_driver}${net_flags[*]:+, ${net_flags[*]}}) in $(elapsed_since "$started")"
