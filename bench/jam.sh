#!/usr/bin/env bash
# Benchmark: one cold build of stacks/debian-bookworm/base/stack.toml (build + run
# image) by `jam create-stack` (the tool nx-cnb replaces), by nx-cnb and by
# `DOCKER_BUILDKIT=0 docker build` of the same Dockerfiles and build args.
# Only base: jam needs [build] and [run] in one stack.toml, and giving the run-only
# tiny and static files base's [build] would make jam build the build image 3 times.
# jam (built by tools/jam.sh) talks to the Engine API only (BuildKit build + /session,
# no docker CLI, no buildx) and always builds with NoCache; if it fails, its row says
# why. Cold = no image that could give a layer-cache hit; the base image is kept.
# Ends with an nx run, so the engine holds nx's four debian-bookworm-* images.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
stack=stacks/debian-bookworm
bench_repo=nx-cnb-bench-jam # tag prefix of the docker CLI images, never nx's names
logs="$(mktemp -d "${TMPDIR:-/tmp}/nx-cnb-bench-jam.XXXXXX")"
export NX_NO_CLOUD=true NX_DAEMON=false NX_TUI=false
source "bench/cold.sh"
timeout 10 docker version >/dev/null 2>&1 || die "no Docker engine answers; run: bash tools/provision.sh"
platform="linux/$(docker version -f '{{.Server.Arch}}')"

# The other benchmarks and the tests use (and delete) the same images: wait for them.
while pgrep -f 'bench/(graph|stack-build|builder-create|affected)\.sh|tools/(test|main)\.sh' >/dev/null; do
  say "another benchmark or tools/test.sh is running, waiting..."; sleep 30
done

# jam's copy of base/stack.toml, in $logs: platforms narrowed to the engine's (nx-cnb and
# the docker CLI build only that; linux/arm64 would need QEMU and an arm64 base image),
# Dockerfile paths made relative to the copy (jam joins them to its directory).
# Prints one line per image for the docker CLI: key, context dir, Dockerfile, k=v args.
# shellcheck disable=SC2016 # JavaScript, not shell: nothing to expand
mapfile -t images < <(node -e '
  const fs = require("fs"), path = require("path"), TOML = require("@iarna/toml");
  const [dir, platform, out] = process.argv.slice(1);
  const toml = TOML.parse(fs.readFileSync(path.join(dir, "stack.toml"), "utf8"));
  toml.platforms = [platform];
  for (const kind of ["build", "run"]) {
    const def = toml[kind], dockerfile = path.resolve(dir, def.dockerfile);
    def.dockerfile = path.relative(out, dockerfile);
    const args = { ...def.args, ...def.platforms?.[platform]?.args };
    console.log([kind, path.dirname(dockerfile), dockerfile, ...Object.entries(args).map(([k, v]) => `${k}=${v}`)].join("\t"));
  }
  fs.writeFileSync(path.join(out, "stack.toml"), TOML.stringify(toml));' "$stack/base" "$platform" "$logs")
[[ ${#images[@]} -eq 2 ]] || die "could not read $stack/base/stack.toml"

# Cold runs start from the base image alone (bench/cold.sh).
base=nx-cnb/debian:bookworm
cold_init "$base"
clean() {
  cold_clean "$bench_repo/build" "$bench_repo/run"
}

rows=()
row() { rows+=("$(printf '%-36s %9s %10s' "$1" "$2" "$(awk -v a="$2" -v b="${docker_s:-0}" 'BEGIN { if (a + 0 > 0 && b > 0) printf "%.2f", a / b; else print "-" }')")"); }
say "logs in $logs"

# Docker CLI: both images at once (nx.json's "parallel": 2; jam builds both at once too).
docker_one() {
  local f a=() kv
  IFS=$'\t' read -r -a f <<<"$1"
  for kv in "${f[@]:3}"; do a+=(--build-arg "$kv"); done
  DOCKER_BUILDKIT=0 docker build -t "$bench_repo/${f[0]}" -f "${f[2]}" "${a[@]}" "${f[1]}" >"$logs/docker-${f[0]}.log" 2>&1
}
say "cold docker CLI build..."; clean; t="$(now)"
docker_one "${images[0]}" & p=$!; docker_one "${images[1]}" || die "docker build failed, see $logs"
wait "$p" || die "docker build failed, see $logs"
docker_s="$(since "$t")"; row "docker CLI (DOCKER_BUILDKIT=0)" "$docker_s"

# nx: no receipts or image.tar to reuse (dist deleted), nx cache neither read nor written.
say "cold nx build..."; clean; rm -rf "dist/$stack"; t="$(now)"
node_modules/.bin/nx run-many -t image-build image-run -p debian-bookworm --skip-nx-cache --outputStyle=stream >"$logs/nx.log" 2>&1 ||
  die "nx failed, see $logs/nx.log"
row "nx-cnb (image-build image-run)" "$(since "$t")"

# jam: its OCI archives (hundreds of MB) go to $logs and are deleted right after.
say "building jam (tools/jam.sh)..."
if ! jam="$(bash tools/jam.sh 2>"$logs/jam-build.log" | tail -n1)" || [[ ! -x "$jam" ]]; then
  row "jam create-stack" "n/a (tools/jam.sh failed: $(tail -n1 "$logs/jam-build.log"))"
else
  say "cold jam create-stack..."; clean; t="$(now)"
  if "$jam" create-stack --config "$logs/stack.toml" --build-output "$logs/build.oci" --run-output "$logs/run.oci" >"$logs/jam.log" 2>&1; then
    row "$("$jam" version) create-stack" "$(since "$t")"
  else
    row "jam create-stack" "n/a ($( (grep -m1 -E 'panic|error|failed' "$logs/jam.log" || tail -n1 "$logs/jam.log") | cut -c1-120))"
  fi
  rm -f "$logs"/*.oci
  # jam builds with BuildKit, whose cache nothing else here uses (all other builds are classic).
  docker builder prune -af >/dev/null 2>&1 || true
fi

# Leave the engine as nx left it: all four images, matching receipts and image.tar.
say "final nx run, cleanup..."
docker rmi -f "$bench_repo/build" "$bench_repo/run" >/dev/null 2>&1 || true; docker image prune -f >/dev/null
node_modules/.bin/nx run-many -t build-image --outputStyle=stream >"$logs/nx-final.log" 2>&1 || die "final nx run failed, see $logs/nx-final.log"
for f in "dist/$stack"/*/receipt.json; do docker image inspect "$(node -p "require('./$f').references[0]")" >/dev/null || die "nx image of $f missing"; done
check_base

echo
echo "machine: $(nproc) CPUs, $platform; $(docker version -f 'docker CLI {{.Client.Version}}, engine {{.Server.Version}}'); nx $(node -p "require('nx/package.json').version")"
echo "cold build of $stack/base/stack.toml (build + run image), wall seconds"
printf '%-36s %9s %10s\n' tool seconds "vs docker"
printf '%s\n' "${rows[@]}"
echo "logs in $logs"
