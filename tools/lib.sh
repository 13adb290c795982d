# shellcheck shell=bash
# Shared helpers for the tools/*.sh provisioning scripts. Source it, don't run it:
#   source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Guard against double sourcing (provision.sh sources it and so do its children).
if [[ -n "${_NX_CNB_LIB_LOADED:-}" ]]; then
  return 0
fi
_NX_CNB_LIB_LOADED=1

# Directory of this file, resolved once so helpers work from any cwd.
_NX_CNB_TOOLS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

# Socket dockerd listens on when nothing else is configured.
NX_CNB_DEFAULT_DOCKER_SOCK="${NX_CNB_DEFAULT_DOCKER_SOCK:-/var/run/docker.sock}"

log() {
  printf '[tools] %s\n' "$*" >&2
}

die() {
  log "ERROR: $*"
  exit 1
}

# Repository root: the parent of tools/. Not derived from git so it also works
# in exports or repos without commits.
repo_root() {
  (cd "${_NX_CNB_TOOLS_DIR}/.." && pwd)
}

# Cache folder (git-ignored); created on demand.
cache_dir() {
  local dir="${NX_CNB_CACHE:-$(repo_root)/.cache}"
  mkdir -p "$dir"
  (cd "$dir" && pwd)
}

need_root_or_die() {
  if [[ "$(id -u)" -ne 0 ]]; then
    die "${1:-this step} needs root (re-run as root or with sudo)"
  fi
}

# True when a Debian package is installed (dpkg state, not just a binary on PATH).
pkg_installed() {
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

# apt_install PKG... : installs only the missing packages; 'apt-get update' runs
# at most once per provisioning run (the marker is exported to child scripts).
apt_install() {
  local missing=() pkg
  for pkg in "$@"; do
    pkg_installed "$pkg" || missing+=("$pkg")
  done
  [[ ${#missing[@]} -eq 0 ]] && return 0
  command -v apt-get >/dev/null 2>&1 || die "missing packages (${missing[*]}) and no apt-get to install them"
  need_root_or_die "installing ${missing[*]}"
  if [[ -z "${_NX_CNB_APT_UPDATED:-}" ]]; then
    log "apt-get update (missing: ${missing[*]})"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2 || die "apt-get update failed"
    export _NX_CNB_APT_UPDATED=1
  fi
  log "apt-get install ${missing[*]}"
  # No recommends: docker.io would otherwise pull needrestart, apparmor, git...
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2 \
    || die "apt-get install ${missing[*]} failed"
}

# engine_answers_at HOST : true when the Docker engine API answers on HOST
# (unix:///path or tcp://host:port). Uses the docker CLI when present, else curl.
engine_answers_at() {
  local host="$1"
  if command -v docker >/dev/null 2>&1; then
    # timeout: a dead tcp:// endpoint must not hang provisioning.
    DOCKER_HOST="$host" timeout 10 docker version --format '{{.Server.Version}}' >/dev/null 2>&1
    return
  fi
  case "$host" in
    unix://*) curl -fsS -m 5 --unix-socket "${host#unix://}" http://localhost/_ping >/dev/null 2>&1 ;;
    tcp://*) curl -fsS -m 5 "http://${host#tcp://}/_ping" >/dev/null 2>&1 ;;
    *) return 1 ;;
  esac
}

# engine_answers : true when the engine the docker CLI would use answers, i.e.
# $DOCKER_HOST when set, else the default socket.
engine_answers() {
  engine_answers_at "${DOCKER_HOST:-unix://${NX_CNB_DEFAULT_DOCKER_SOCK}}"
}

# File where engine.sh records the DOCKER_HOST it settled on, so later steps
# (and provision.sh's summary) use the same engine.
engine_env_file() {
  printf '%s/engine.env\n' "$(cache_dir)"
}

# Load the DOCKER_HOST chosen by engine.sh, unless the caller's one answers.
load_engine_env() {
  local f
  f="$(engine_env_file)"
  if [[ -n "${DOCKER_HOST:-}" ]] && engine_answers; then
    return 0
  fi
  if [[ -f "$f" ]]; then
    # shellcheck disable=SC1090
    source "$f"
    export DOCKER_HOST
  fi
}

# Read a pid file and tell whether that process is still alive.
pidfile_alive() {
  local pid
  [[ -f "$1" ]] || return 1
  pid="$(cat "$1" 2>/dev/null || true)"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null
}

# Seconds since the epoch with sub-second precision for timing messages.
now() {
  date +%s.%N
}

elapsed_since() {
  awk -v s="$1" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1fs", e - s }'
}

# wait_while_alive PID SECONDS CMD...: polls CMD until it succeeds; gives up at
# the deadline, or at once when PID (the daemon just started) has exited.
wait_while_alive() {
  local pid="$1" deadline=$((SECONDS + $2))
  shift 2
  while ((SECONDS < deadline)); do
    "$@" && return 0
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.3
  done
  return 1
}
