#!/usr/bin/env bash
# One-stop machine setup for nx-cnb's e2e work: Docker engine, local registry,
# QEMU for foreign platforms, the Debian base image for each platform, then
# pack and lifecycle when their scripts exist.
# Prints the environment the caller should export at the end (stdout; all
# progress goes to stderr so `eval "$(tools/provision.sh)"` works).
set -euo pipefail
tools_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "${tools_dir}/lib.sh"
source "${tools_dir}/versions.sh"

total_started="$(now)"
caller_docker_host="${DOCKER_HOST:-}"

# Helper scripts print progress on stderr; any `export NAME=...` lines they
# print on stdout are kept for the final summary, other stdout goes to stderr
# so the summary stays eval-able.
extra_env=()
run_step() {
  local script="$1" started out line
  shift
  started="$(now)"
  out="$(bash "${tools_dir}/${script}" "$@")" || die "${script} $* failed (see messages above)"
  while IFS= read -r line; do
    if [[ "$line" =~ ^export\ [A-Za-z_][A-Za-z0-9_]*= ]]; then
      extra_env+=("$line")
    elif [[ -n "$line" ]]; then
      printf '%s\n' "$line" >&2
    fi
  done <<<"$out"
  log "${script} $* ok ($(elapsed_since "$started"))"
}

run_step engine.sh
# Later steps must talk to the engine engine.sh settled on.
load_engine_env
export DOCKER_HOST
run_step registry.sh
run_step qemu.sh
run_step base-image.sh
run_step pack.sh
# A lifecycle for every platform the base image is made for: a builder of
# several platforms carries each platform's own.
read -r -a base_platforms <<<"${NX_CNB_BASE_PLATFORMS:-linux/amd64 linux/arm64}"
for platform in "${base_platforms[@]}"; do
  run_step lifecycle.sh "${platform#*/}"
done

log "provisioned in $(elapsed_since "$total_started")"

# Environment for the caller. DOCKER_HOST only when it is not the default
# socket the docker CLI uses anyway, or when the caller's own DOCKER_HOST was
# dead and engine.sh fell back to another engine.
if [[ -n "${DOCKER_HOST:-}" ]] &&
  { [[ "$DOCKER_HOST" != "unix://${NX_CNB_DEFAULT_DOCKER_SOCK}" ]] ||
    [[ -n "$caller_docker_host" && "$caller_docker_host" != "$DOCKER_HOST" ]]; }; then
  printf 'export DOCKER_HOST=%q\n' "$DOCKER_HOST"
fi
build_network="$(sed -n 's/^NX_CNB_DOCKER_BUILD_NETWORK=//p' "$(engine_env_file)" 2>/dev/null || true)"
if [[ -n "$build_network" ]]; then
  printf 'export NX_CNB_DOCKER_BUILD_NETWORK=%s\n' "$build_network"
fi
printf 'export NX_CNB_REGISTRY=%q\n' "127.0.0.1:${NX_CNB_REGISTRY_PORT:-5000}"
# The multi-platform Debian base base-image.sh publishes: what generated stacks start FROM here.
printf 'export NX_CNB_BASE_IMAGE=%q\n' "127.0.0.1:${NX_CNB_REGISTRY_PORT:-5000}/nx-cnb/debian:$(pinned_version debianSuite)"
printf 'export NX_CNB_CACHE=%q\n' "$(cache_dir)"
# The plugin finds pack through NX_CNB_PACK (or PATH); pack.sh prints its path last, in milliseconds when cached.
if [[ -f "${tools_dir}/pack.sh" ]]; then
  printf 'export NX_CNB_PACK=%q\n' "$(bash "${tools_dir}/pack.sh" 2>/dev/null | tail -n 1)"
fi
if [[ ${#extra_env[@]} -gt 0 ]]; then
  printf '%s\n' "${extra_env[@]}"
fi
