#!/usr/bin/env bash
# Make sure a local OCI registry (Debian's docker-registry, i.e. distribution
# v2) listens on 127.0.0.1:${NX_CNB_REGISTRY_PORT:-5000}. Storage, config, log
# and pidfile live in the cache dir, so it never touches /etc/docker/registry
# or the package's own service.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

port="${NX_CNB_REGISTRY_PORT:-5000}"
[[ "$port" =~ ^[0-9]+$ ]] || die "NX_CNB_REGISTRY_PORT must be a port number, got '${port}'"
url="http://127.0.0.1:${port}/v2/"

# HTTP status of GET /v2/ ("000" when nothing listens).
registry_status() {
  curl -s -o /dev/null -m 2 -w '%{http_code}' "$url" 2>/dev/null || true
}

command -v curl >/dev/null 2>&1 || apt_install curl

# Fast path: a registry without auth already answers.
status="$(registry_status)"
case "$status" in
  200) exit 0 ;;
  000) ;;
  401) die "127.0.0.1:${port} answers /v2/ with 401: a registry with auth (e.g. the docker-registry service using /etc/docker/registry/config.yml) holds the port; stop it or set NX_CNB_REGISTRY_PORT" ;;
  *) die "127.0.0.1:${port} is taken by something that is not an open registry (GET /v2/ -> HTTP ${status}); set NX_CNB_REGISTRY_PORT to a free port" ;;
esac

started="$(now)"
cache="$(cache_dir)"
pidfile="${cache}/registry-${port}.pid"
logfile="${cache}/registry-${port}.log"
config="${cache}/registry-${port}.yml"
storage="${cache}/registry"
timeout_s="${NX_CNB_REGISTRY_TIMEOUT:-20}"

if ! command -v docker-registry >/dev/null 2>&1; then
  apt_install docker-registry
fi

registry_answers() { [[ "$(registry_status)" == 200 ]]; }

wait_for_registry() {
  wait_while_alive "$1" "$timeout_s" registry_answers
}

fail_with_log() {
  log "ERROR: $1"
  log "last lines of ${logfile}:"
  tail -n 20 "$logfile" >&2 || true
  exit 1
}

# A previous run may still be starting it.
if pidfile_alive "$pidfile"; then
  wait_for_registry "$(cat "$pidfile")" && exit 0
  fail_with_log "docker-registry pid $(cat "$pidfile") runs but ${url} does not answer"
fi

mkdir -p "$storage"
# Own config: loopback only (no auth needed, and dockerd treats 127.0.0.0/8 as
# an insecure registry by default so plain http push/pull works); delete
# enabled so tests can clean up.
cat >"$config" <<EOF
version: 0.1
log:
  level: info
  fields:
    service: registry
storage:
  filesystem:
    rootdirectory: ${storage}
  delete:
    enabled: true
  cache:
    blobdescriptor: inmemory
http:
  addr: 127.0.0.1:${port}
  headers:
    X-Content-Type-Options: [nosniff]
health:
  storagedriver:
    enabled: true
    interval: 10s
    threshold: 3
EOF

log "starting docker-registry on 127.0.0.1:${port} (storage ${storage}, log ${logfile})"
printf '\n===== %s docker-registry serve %s\n' "$(date -Is)" "$config" >>"$logfile"
# setsid + nohup: must outlive this script.
setsid nohup docker-registry serve "$config" </dev/null >>"$logfile" 2>&1 &
pid=$!
echo "$pid" >"$pidfile"

wait_for_registry "$pid" || fail_with_log "docker-registry did not answer on ${url} within ${timeout_s}s"
log "registry up on 127.0.0.1:${port} (pid ${pid}) in $(elapsed_since "$started")"
