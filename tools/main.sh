#!/usr/bin/env bash
# The main job on a fresh machine: install what is missing (npm dependencies,
# Docker engine, registry, Debian base image, pack, lifecycle), then build
# every image of the workspace's stacks with the plugin.
set -euo pipefail
tools="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$tools/.."
bash tools/node-deps.sh
eval "$(bash tools/provision.sh)"
node_modules/.bin/nx run-many -t build-image --outputStyle=stream
