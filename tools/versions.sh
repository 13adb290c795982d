# shellcheck shell=bash
# The version pins of the tools nx-cnb is built and tested with live in one
# file, packages/nx-cnb/src/versions.json, which the plugin, the e2e tests and
# the benchmarks read too. Source this file, then: pinned_version pack

_nx_cnb_versions_json="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/packages/nx-cnb/src/versions.json"

# pinned_version NAME: prints the pinned version of NAME (a flat "name": "value" entry).
pinned_version() {
  local value
  value="$(sed -n "s/^[[:space:]]*\"$1\":[[:space:]]*\"\([^\"]*\)\".*/\1/p" "$_nx_cnb_versions_json")"
  [[ -n "$value" ]] || { printf 'versions.sh: no pin for "%s" in %s\n' "$1" "$_nx_cnb_versions_json" >&2; return 1; }
  printf '%s\n' "$value"
}
