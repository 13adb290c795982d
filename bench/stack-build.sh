#!/usr/bin/env bash
# Benchmark: the dogfood stack (stacks/debian-bookworm) built through nx-cnb
# (`nx run-many -t build-image`) vs the same Dockerfiles and build args through
# `DOCKER_BUILDKIT=0 docker build`, 2 at a time like nx.json's "parallel": 2.
#   BENCH_RUNS=N    repeat the no-op rows N times and report the median (default 1)
# No-op rows: once with the Nx daemon off (as in CI), once on (the default elsewhere).
#   BENCH_CHANGE=0  skip the "one Dockerfile changed" row
# Cold rows delete every image that could give a layer-cache hit (other people's
# builds of these Dockerfiles included), never the base image. Ends with an nx
# run, so the engine holds nx's images and they match the receipts.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
stack=stacks/debian-bookworm
runs="${BENCH_RUNS:-1}"
bench_repo=nx-cnb-bench # tag prefix of the docker CLI images, never nx's names
logs="$(mktemp -d "${TMPDIR:-/tmp}/nx-cnb-bench.XXXXXX")"
export NX_NO_CLOUD=true NX_DAEMON=false NX_TUI=false
source "bench/cold.sh"
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { printf "%.1f", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
bench_started="$(now)"
timeout 10 docker version >/dev/null 2>&1 || die "no Docker engine answers; run: bash tools/provision.sh"
platform="linux/$(docker version -f '{{.Server.Arch}}')"

# One tab-separated line per image, in nx's task order: key, context dir, Dockerfile,
# base image, k=v build args; read from images.json + stack.toml as nx-cnb does.
# shellcheck disable=SC2016 # JavaScript, not shell: nothing to expand
mapfile -t images < <(node -e '
  const fs = require("fs"), path = require("path"), TOML = require("@iarna/toml");
  const [dir, platform] = process.argv.slice(1);
  for (const im of JSON.parse(fs.readFileSync(path.join(dir, "images.json"), "utf8")).images) {
    const toml = TOML.parse(fs.readFileSync(path.join(dir, im.config_dir, "stack.toml"), "utf8"));
    for (const kind of ["build", "run"]) {
      const def = toml[kind];
      if (!def || (kind === "build" && !im.create_build_image)) continue;
      const key = im.stack_type && im.stack_type !== "base" ? `${kind}-${im.stack_type}` : kind;
      const args = { ...def.args, ...def.platforms?.[platform]?.args };
      const dockerfile = path.join(dir, im.config_dir, def.dockerfile);
      // Values verbatim: they are part of the classic builder cache key.
      if (Object.values(args).some((v) => /[\t\n]/.test(v))) throw new Error(`${key}: tab or newline in a build arg`);
      console.log([key, path.dirname(dockerfile), dockerfile, args.base_image, ...Object.entries(args).map(([k, v]) => `${k}=${v}`)].join("\t"));
    }
  }' "$stack" "$platform")
[[ ${#images[@]} -gt 0 ]] || die "no images found in $stack"
keys=("${images[@]%%$'\t'*}")
field() { printf '%s\n' "${images[@]}" | awk -F'\t' -v k="$1" -v n="$2" '$1 == k { print $n }'; }

# The base image must survive every clean: it is debootstrapped, not pullable.
base="$(field "${keys[0]}" 4)"
cold_init "$base"
clean() {
  cold_clean "${keys[@]/#/$bench_repo/}"
  rm -rf "dist/$stack" # nx outputs: receipts and image.tar
}

# Docker CLI: one background job per image, at most 2 running (a queue, as nx runs them).
docker_one() {
  local f a=() kv
  IFS=$'\t' read -r -a f <<<"$1"
  for kv in "${f[@]:4}"; do a+=(--build-arg "$kv"); done
  DOCKER_BUILDKIT=0 docker build -t "$bench_repo/${f[0]}" -f "${f[2]}" "${a[@]}" "${f[1]}" >>"$logs/docker-${f[0]}.log" 2>&1 ||
    { say "docker build ${f[0]} failed, see $logs/docker-${f[0]}.log"; return 1; }
}
docker_all() {
  local started=0 reaped=0 rc=0 line
  for line in "${images[@]}"; do
    if ((started - reaped >= 2)); then wait -n || rc=1; reaped=$((reaped + 1)); fi
    docker_one "$line" & started=$((started + 1))
  done
  while ((reaped < started)); do wait -n || rc=1; reaped=$((reaped + 1)); done
  return "$rc"
}
# nx: the caller times the whole command; nx's own "Run duration" goes to $nx_run (seconds).
nx_all() {
  local log="$logs/nx-$1.log"; shift
  node_modules/.bin/nx run-many -t build-image --outputStyle=stream "$@" >"$log" 2>&1 || die "nx failed, see $log"
  nx_run="$(sed -n 's/^ *Run duration: *//p' "$log" | awk '{ for (i = 1; i <= NF; i++) { v = $i + 0
    s += $i ~ /ms$/ ? v / 1000 : $i ~ /s$/ ? v : $i ~ /m$/ ? 60 * v : $i ~ /h$/ ? 3600 * v : 0 } } END { printf "%.1f", s }')"
  nx_cache="$(sed -n 's/^ *Cache: *//p' "$log"); images: $(grep -oE '(in the engine|tag restored|loaded from the saved image)$' "$log" | sort | uniq -c | awk '{ $1 = $1 "x" } 1' | paste -sd, -)"
}
rows=()
row() { rows+=("$(printf '%-40s %9s %9s %9s %10s' "$1" "$2" "$3" "$4" "$(awk -v a="$2" -v b="$4" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }')")"); }

say "logs in $logs"
say "cold docker CLI build..."; clean; t="$(now)"; docker_all; docker_cold="$(since "$t")"
# nx reset: --skip-nx-cache neither reads nor refreshes cache entries, and a stale entry
# would later restore an old receipt + image.tar (and ensure-images retag the old image).
say "cold nx build..."; clean; node_modules/.bin/nx reset --onlyCache >"$logs/nx-reset.log" 2>&1
t="$(now)"; nx_all cold --skip-nx-cache
row "cold (no images, no nx cache)" "$(since "$t")" "$nx_run" "$docker_cold"

# The cache is still empty, so this run executes all 4 tasks on a warm layer cache (and
# fills nx's cache): nx-cnb's own per-image overhead (decorate build, checks, image.tar).
say "warm layers, empty nx cache..."; t="$(now)"; nx_all warm; nx_warm="$(since "$t")" nx_warm_run="$nx_run"
t="$(now)"; docker_all; row "layers cached, nx cache empty" "$nx_warm" "$nx_warm_run" "$(since "$t")"

# No-op: nothing changed; nx should take all 4 images from its cache, docker hits its layer cache.
nx_walls=() nx_runs=() docker_walls=()
for ((i = 1; i <= runs; i++)); do
  say "no-op run $i/$runs..."
  t="$(now)"; nx_all "noop-$i"; nx_walls+=("$(since "$t")"); nx_runs+=("$nx_run"); noop_cache="${noop_cache:-$nx_cache}"
  t="$(now)"; docker_all; docker_walls+=("$(since "$t")")
done
row "no-op rerun (median of $runs)" "$(median "${nx_walls[@]}")" "$(median "${nx_runs[@]}")" "$(median "${docker_walls[@]}")"

# The same with the Nx daemon, on by default outside CI: it keeps the project graph
# between runs, so Nx skips starting a plugin worker per plugin. Its first run warms it.
say "no-op runs with the Nx daemon..."
NX_DAEMON=true nx_all daemon-warmup
nx_walls=() nx_runs=()
for ((i = 1; i <= runs; i++)); do
  t="$(now)"; NX_DAEMON=true nx_all "noop-daemon-$i"; nx_walls+=("$(since "$t")"); nx_runs+=("$nx_run")
done
node_modules/.bin/nx daemon --stop >"$logs/nx-daemon-stop.log" 2>&1 || true
row "no-op rerun, Nx daemon (median of $runs)" "$(median "${nx_walls[@]}")" "$(median "${nx_runs[@]}")" "$(median "${docker_walls[@]}")"

# One Dockerfile changed (a comment appended to tiny's): nx reruns that task; the classic
# builder ignores comments, so docker is all cache hits. The file is restored on EXIT.
tiny_df="$(field run-tiny 3)" marker="# nx-cnb bench $$" tiny_bak=""
restore() {
  [[ -n "$tiny_bak" ]] || return 0
  # Undo only our own line; if someone else edited the file meanwhile, say so instead.
  if cat "$tiny_bak" <(printf '%s\n' "$marker") | cmp -s - "$tiny_df"; then cat "$tiny_bak" >"$tiny_df"
  elif grep -qxF "$marker" "$tiny_df"; then say "$tiny_df changed meanwhile; remove the line '$marker' by hand"; fi
  tiny_bak=""
}
trap restore EXIT
trap 'exit 130' INT TERM # so the EXIT trap restores on Ctrl-C or kill too
if [[ "${BENCH_CHANGE:-1}" != 0 && -n "$tiny_df" ]]; then
  say "one Dockerfile changed..."
  tiny_bak="$logs/run.Dockerfile.orig"; cp "$tiny_df" "$tiny_bak"; printf '%s\n' "$marker" >>"$tiny_df"
  t="$(now)"; nx_all change; nx_change="$(since "$t")" nx_change_run="$nx_run"
  t="$(now)"; docker_all; restore
  row "tiny Dockerfile comment added" "$nx_change" "$nx_change_run" "$(since "$t")"
fi

# Leave the engine as nx left it (receipts, image.tar and tags agree); drop the CLI's tags.
say "final nx run, cleanup..."; nx_all final
sizes=(); mb() { docker image inspect -f '{{.Size}}' "$1" | awk '{ printf "%.1f", $1 / 1e6 }'; }
for key in "${keys[@]}"; do
  ref="$(node -p "require('./dist/$stack/$key/receipt.json').references[0]")"
  sizes+=("$(printf '%-11s %-34s %7s MB  (docker CLI image, without the cnb layer: %s MB)' "$key" "$ref" "$(mb "$ref")" "$(mb "$bench_repo/$key")")")
done
docker rmi "${keys[@]/#/$bench_repo/}" >/dev/null; docker image prune -f >/dev/null; check_base

echo
echo "machine: $(nproc) CPUs, $(free -g | awk '/^Mem/ { print $2 }') GB RAM, $platform; $(docker version -f 'docker CLI {{.Client.Version}}, engine {{.Server.Version}}'); nx $(node -p "require('nx/package.json').version")"
echo "nx on the first no-op run: cache ${noop_cache:-?}"
echo
printf '%-40s %9s %9s %9s %10s\n' scenario "nx s" "nx-run s" "docker s" "nx/docker"
printf '%s\n' "${rows[@]}"
echo "(nx s: wall time of the whole nx command; nx-run s: nx's own \"Run duration\"; the ratio uses wall times)"
echo; printf '%s\n' "${sizes[@]}"; echo
echo "bench took $(since "$bench_started") s; logs in $logs"
