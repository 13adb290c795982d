#!/usr/bin/env bash
# Compiles the plugin to dist/packages/nx-cnb, the form users install from npm:
# JavaScript, with its package.json, executor and generator manifests,
# schemas and generator templates beside it.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$root/dist/packages/nx-cnb"
src="$root/packages/nx-cnb"

rm -rf "$out"
"$root/node_modules/.bin/tsc" -p "$src/tsconfig.lib.json"
cp "$src/package.json" "$src/executors.json" "$src/generators.json" "$out/"
[ -f "$src/README.md" ] && cp "$src/README.md" "$out/"
# Schemas and templates are data files tsc does not copy.
(cd "$src" && find src -name 'schema.json' -o -path '*/files/*' -type f) | while read -r file; do
  mkdir -p "$out/$(dirname "$file")"
  cp "$src/$file" "$out/$file"
done
echo "$out"
