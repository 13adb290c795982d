#!/usr/bin/env node
// The plain alternative to nx-cnb's image tasks, for the benchmarks: the same
// Dockerfiles, build args and platforms sent to the engine as BuildKit builds
// (POST /build?version=2 with a tar of the context, as `docker buildx build`
// would send them through the Engine API), two images at a time like
// nx.json's "parallel": 2, each image's platforms side by side. No decorating,
// no checks, no receipts: only the builds.
//
//   node bench/plain-buildkit.js STACK_DIR TAG_PREFIX PLATFORM[,PLATFORM...]
//
// Prints one line per image and platform: key, platform, image ID.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const Docker = require('dockerode');
const TOML = require('@iarna/toml');
const { pack } = require('tar-stream');

const [stackDir, prefix, platformList] = process.argv.slice(2);
if (!stackDir || !prefix || !platformList) throw new Error('usage: plain-buildkit.js STACK_DIR TAG_PREFIX PLATFORM[,PLATFORM...]');
const platforms = platformList.split(',');
const docker = new Docker();

/** The images of a Paketo-layout stack, as nx-cnb reads them: key, context, Dockerfile, args per platform. */
function images() {
  const out = [];
  for (const image of JSON.parse(fs.readFileSync(path.join(stackDir, 'images.json'), 'utf8')).images) {
    const toml = TOML.parse(fs.readFileSync(path.join(stackDir, image.config_dir, 'stack.toml'), 'utf8'));
    for (const kind of ['build', 'run']) {
      const def = toml[kind];
      if (!def || (kind === 'build' && !image.create_build_image)) continue;
      const key = image.stack_type && image.stack_type !== 'base' ? `${kind}-${image.stack_type}` : kind;
      const dockerfile = path.join(stackDir, image.config_dir, def.dockerfile);
      out.push({ key, context: path.dirname(dockerfile), dockerfile: path.basename(dockerfile), args: (p) => ({ ...def.args, ...def.platforms?.[p]?.args }) });
    }
  }
  return out;
}

function contextTar(dir) {
  const tar = pack();
  const add = (rel) => {
    for (const entry of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const name = path.posix.join(rel, entry.name);
      if (entry.isDirectory()) add(name);
      else if (entry.isFile()) tar.entry({ name, mode: 0o644 }, fs.readFileSync(path.join(dir, name)));
    }
  };
  add('');
  tar.finalize();
  return tar;
}

function build(image, platform) {
  const options = {
    version: '2',
    dockerfile: image.dockerfile,
    buildargs: image.args(platform),
    platform,
    t: `${prefix}/${image.key}:${platform.replace('/', '-')}`,
    ...(process.env.NX_CNB_DOCKER_BUILD_NETWORK ? { networkmode: process.env.NX_CNB_DOCKER_BUILD_NETWORK } : {}),
  };
  return new Promise((resolve, reject) =>
    docker.modem.dial(
      {
        path: '/build?',
        method: 'POST',
        file: contextTar(image.context),
        options,
        isStream: true,
        statusCodes: { 200: true, 400: 'bad parameter', 500: 'server error' },
      },
      (err, stream) => {
        if (err) return reject(err);
        let id;
        let failure;
        docker.modem.followProgress(
          stream,
          (e) => (e || failure ? reject(e ?? new Error(`${image.key} ${platform}: ${failure}`)) : resolve(id)),
          (event) => {
            if (event.aux && event.aux.ID) id = event.aux.ID;
            if (event.error) failure = event.error;
          },
        );
      },
    ),
  );
}

async function main() {
  const queue = images();
  const lines = [];
  const worker = async () => {
    for (let image = queue.shift(); image; image = queue.shift()) {
      const ids = await Promise.all(platforms.map((platform) => build(image, platform)));
      platforms.forEach((platform, i) => lines.push(`${image.key}\t${platform}\t${ids[i]}`));
    }
  };
  await Promise.all([worker(), worker()]);
  console.log(lines.sort().join('\n'));
}

main().catch((e) => {
  console.error(`plain-buildkit: ${e.message}`);
  process.exit(1);
});
