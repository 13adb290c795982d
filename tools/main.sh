#!/usr/bin/env bash
# The main job on a fresh machine: install what is missing (npm dependencies,
# Docker engine, registry, QEMU, the Debian base image for amd64 and arm64,
# pack, the lifecycle for each), build every image of the workspace's stacks
# for both platforms, publish them to the local registry, create the
# builders there for both platforms, then build the sample app with the
# dogfood builder on each platform and run it on each run image.
set -euo pipefail
tools="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$tools/.."
bash tools/node-deps.sh
eval "$(bash tools/provision.sh)"
node_modules/.bin/nx run-many -t build-image create-builder create-builder-buildpackless --outputStyle=stream

# The builder is one index in the registry; pack picks each platform's builder from it.
# Each platform's run image is named by its own tag, so a local image of the other
# platform under the plain tag is never taken for it.
registry=127.0.0.1:5000/nx-cnb
for platform in linux/amd64 linux/arm64; do
  for run_image in debian-bookworm-run debian-bookworm-run-tiny debian-bookworm-run-static; do
    app="nx-cnb-sample:${run_image}-${platform##*/}"
    # --trust-builder: the lifecycle image an untrusted builder asks for is on Docker Hub.
    "$NX_CNB_PACK" build "$app" --builder "${registry}/debian-bookworm-builder:latest" --platform "$platform" \
      --path builders/debian-bookworm/sample-app --run-image "${registry}/${run_image}:latest-${platform//\//-}" \
      --pull-policy always --trust-builder --quiet >/dev/null
    echo "sample app on ${run_image} (${platform}): $(docker run --rm --platform "$platform" "$app")"
  done
done
