# shellcheck shell=bash
# Shared steps of pack.sh and lifecycle.sh, which build Go programs from
# source fetched through the Go module proxy. Source it after defining log and die.

# tool_dir NAME VERSION: the absolute cache folder for one version of a tool, made on demand.
tool_dir() {
  local script_dir repo_root cache_root
  script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
  repo_root="$(git -C "$script_dir" rev-parse --show-toplevel 2>/dev/null || (cd "$script_dir/.." && pwd -P))"
  cache_root="${NX_CNB_CACHE:-$repo_root/.cache}"
  mkdir -p "$cache_root/tools/$1-$2" || die "cannot create cache directory '$cache_root/tools/$1-$2'"
  (cd "$cache_root/tools/$1-$2" && pwd -P)
}

# print_cached_or_lock DEST LOCKFILE: prints DEST and exits when it is already
# built (the fast path: no Go, no network); otherwise takes the lock so that
# concurrent runs (parallel Nx targets) build it once, and checks again.
print_cached_or_lock() {
  if [[ -s "$1" ]]; then
    printf '%s\n' "$1"
    exit 0
  fi
  if command -v flock >/dev/null 2>&1; then
    exec 9>"$2"
    flock 9
  fi
  if [[ -s "$1" ]]; then
    printf '%s\n' "$1"
    exit 0
  fi
}

# find_go: sets GO to a Go toolchain, or dies saying how to get one.
find_go() {
  GO="${GO:-}"
  if [[ -z "$GO" ]]; then
    GO="$(command -v go 2>/dev/null || true)"
    [[ -z "$GO" && -x /usr/local/go/bin/go ]] && GO=/usr/local/go/bin/go
  fi
  [[ -n "$GO" ]] || die "$1 must be built from source but no Go toolchain was found (install Go, put it on PATH or set GO=/path/to/go)"
  # Only the module build is wanted: no workspaces, no vendoring, no cross GOOS/GOARCH from the caller.
  export GOWORK=off GOFLAGS=-mod=readonly CGO_ENABLED=0
  unset GOOS GOARCH
}

# download_module MODULE VERSION: sets dl_json and mod_dir (read-only source in the module cache).
download_module() {
  dl_json="$("$GO" mod download -json "$1@v$2" 2>&1)" \
    || die "cannot download $1@v$2 through the Go module proxy ($("$GO" env GOPROXY)):
$dl_json"
  mod_dir="$(sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p' <<<"$dl_json" | head -n1)"
  [[ -n "$mod_dir" && -d "$mod_dir" ]] || die "go mod download gave no module directory for $1@v$2:
$dl_json"
}

# writable_module_copy NAME: sets work to a temp folder (removed on exit, also
# on Ctrl-C) holding a writable copy of mod_dir in $work/src. The module cache
# is read-only, and `go install pkg@version` refuses a go.mod with replace
# directives (pack's and jam's have them), so tools are built from a copy.
writable_module_copy() {
  work="$(mktemp -d "${TMPDIR:-/tmp}/nx-cnb-$1.XXXXXX")"
  trap 'chmod -R u+w "$work" 2>/dev/null || true; rm -rf "$work"' EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  cp -R "$mod_dir" "$work/src"
  chmod -R u+w "$work/src"
}

# install_in_cache FILE DEST: renames within the cache folder, so a reader never sees a half-written file.
install_in_cache() {
  local partial
  partial="$(dirname "$2")/.$(basename "$2").$$"
  cp "$1" "$partial"
  chmod "$(stat -c '%a' "$1")" "$partial"
  mv -f "$partial" "$2"
}

# build_tool_binary NAME VERSION LDFLAGS EXPECTED_VERSION_LINE DEST: builds the
# module's main package from the writable copy, checks that `NAME version`
# prints what is expected, caches it at DEST and prints DEST.
build_tool_binary() {
  local name="$1" version="$2" ldflags="$3" expected="$4" dest="$5" built
  (cd "$work/src" && "$GO" build -trimpath -ldflags "$ldflags" -o "$work/$name" .) >&2 \
    || die "go build of ${name} ${version} failed (see output above)"
  built="$("$work/$name" version 2>/dev/null | head -n1 || true)"
  [[ "$built" == "$expected" ]] || die "built ${name} reports version '${built}', expected '${expected}'"
  install_in_cache "$work/$name" "$dest"
  log "cached ${name} ${version} at ${dest}"
  printf '%s\n' "$dest"
}
