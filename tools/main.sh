#!/usr/bin/env bash
# The main job on a fresh machine: install what is missing (npm dependencies,
# Docker engine, registry, Debian base image, pack, lifecycle), build every
# image of the workspace's stacks, create the builders, then build the sample
# app with the dogfood builder and run it on each run image.
set -euo pipefail
tools="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$tools/.."
bash tools/node-deps.sh
eval "$(bash tools/provision.sh)"
node_modules/.bin/nx run-many -t build-image create-builder create-builder-buildpackless --outputStyle=stream

# pack build needs --trust-builder: the lifecycle image an untrusted builder asks for is on Docker Hub.
for run_image in debian-bookworm-run debian-bookworm-run-tiny debian-bookworm-run-static; do
  "$NX_CNB_PACK" build "nx-cnb-sample:${run_image}" --builder debian-bookworm-builder:latest \
    --path builders/debian-bookworm/sample-app --run-image "${run_image}:latest" \
    --pull-policy never --trust-builder --quiet >/dev/null
  echo "sample app on ${run_image}: $(docker run --rm "nx-cnb-sample:${run_image}")"
done
