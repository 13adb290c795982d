# Shared by the builder benchmarks: source it with $receipt set to the absolute
# path of the dogfood builder's receipt.json, after nx-cnb has made the builder.
# shellcheck shell=bash
: "${receipt:?set receipt to the builder receipt.json before sourcing bench/builder-direct.sh}"
builder="$(node -p "require('$receipt').builder")"
mapfile -t flatten_args < <(node -p "require('$receipt').flatten.flatMap((g) => ['--flatten', g]).join('\n')")
mapfile -t platforms < <(node -p "require('$receipt').platforms.map((p) => p.platform).join('\n')")
# forget_index: the registry loses the builder's index, so nx-cnb finds no builder and runs pack.
forget_index() {
  local repository="${builder%:*}" digest
  digest="$(node -p "require('$receipt').digest")"
  curl -fsS -X DELETE "http://${repository%%/*}/v2/${repository#*/}/manifests/$digest" >/dev/null
}
# pack_direct: the same pack commands nx-cnb runs, with the builder.toml it wrote for
# each platform (run it in the workspace whose dist/ holds them).
pack_direct() {
  local platform
  for platform in "${platforms[@]}"; do
    "$NX_CNB_PACK" builder create "127.0.0.1:5000/nx-cnb-bench/direct:latest-${platform//\//-}" \
      --config "dist/builders/debian-bookworm/builder/builder-${platform//\//-}.toml" "${flatten_args[@]}" \
      --target "$platform" --publish --pull-policy if-not-present
  done
}
