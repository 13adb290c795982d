import type Docker from 'dockerode';
import { execFileSync } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { join } from 'node:path';
import { extract } from 'tar-stream';
import { connectEngine } from '../src/engine/docker-engine';
import type { BuilderReceipt, ImageReceipt } from '../src/receipt/receipt';
import { expectSuccess, lifecycleTarball, TempWorkspace } from './workspace';

// arm64 builds run under QEMU: minutes, not the 5 s jest allows by default.
jest.setTimeout(30 * 60 * 1000);

// A small stack for linux/amd64 and linux/arm64 (a build image and a run image
// with few packages, a static image assembled without emulation), published as
// indexes, a builder for both platforms, and an app built on each.
const registry = '127.0.0.1:5000';
const repository = `${registry}/nx-cnb-e2e-multiarch-${process.pid}`;
const BASE = `${registry}/nx-cnb/debian:bookworm`;
const PLATFORMS = ['linux/amd64', 'linux/arm64'];
const pack = process.env.NX_CNB_PACK || 'pack';
const QEMU_ARM64 = '/proc/sys/fs/binfmt_misc/qemu-aarch64';

const STACK_TOML = (kind: 'build' | 'run', uid: number) => `id = "io.buildpacks.stacks.mini"
platforms = ["linux/amd64", "linux/arm64"]

[${kind}]
  dockerfile = "./${kind}.Dockerfile"
  uid = ${uid}
  gid = 1000
  shell = "/bin/bash"

  [${kind}.args]
    base_image = "${BASE}"
    packages = "ca-certificates"
    marker = "default"

  [${kind}.platforms."linux/arm64".args]
    marker = "arm64 args"
`;

// No apt-get upgrade: under QEMU it alone takes minutes, and this stack only has to prove the platforms.
const DOCKERFILE = `ARG base_image
FROM \${base_image}
ARG packages
ARG marker
RUN apt-get update && apt-get install -y --no-install-recommends \${packages} && rm -rf /var/lib/apt/lists/* && echo "\${marker}" > /etc/nx-cnb-marker
`;

let docker: Docker;
let ws: TempWorkspace;
const apps: string[] = [];

beforeAll(async () => {
  docker = (await connectEngine()).docker;
  ws = new TempWorkspace({ repository });
  ws.write(
    'stacks/mini/images.json',
    JSON.stringify({
      platforms: PLATFORMS,
      os_name: 'mini',
      images: [
        { name: 'base', config_dir: 'base', create_build_image: true, stack_type: 'base', pattern_image_registry_name: 'os_name-build_image_run_image' },
        { name: 'static', config_dir: 'static', stack_type: 'static' },
      ],
    }),
  );
  ws.write('stacks/mini/base/stack.toml', `${STACK_TOML('build', 1001)}\n${STACK_TOML('run', 1002).split('\n').slice(2).join('\n')}`);
  ws.write('stacks/mini/base/build.Dockerfile', DOCKERFILE);
  ws.write('stacks/mini/base/run.Dockerfile', DOCKERFILE);
  ws.write(
    'stacks/mini/static/stack.toml',
    `id = "io.buildpacks.stacks.mini"\nplatforms = ["linux/amd64", "linux/arm64"]\n[run]\n  dockerfile = "./run.Dockerfile"\n  uid = 1002\n  gid = 1000\n  [run.args]\n    base_image = "${BASE}"\n    packages = "base-files ca-certificates netbase tzdata"\n`,
  );
  ws.write('stacks/mini/static/run.Dockerfile', readFileSync(join(__dirname, '../src/generators/stack/files/distroless.Dockerfile'), 'utf8'));
  // A buildpack whose app prints the machine it runs on.
  ws.write('builders/mini/buildpacks/uname/buildpack.toml', 'api = "0.10"\n[buildpack]\n  id = "e2e/uname"\n  version = "1.0.0"\n[[stacks]]\n  id = "*"\n');
  ws.write('builders/mini/buildpacks/uname/bin/detect', '#!/bin/sh\nexit 0\n');
  ws.write(
    'builders/mini/buildpacks/uname/bin/build',
    '#!/bin/sh\nset -e\ncat > "$CNB_LAYERS_DIR/launch.toml" <<EOF\n[[processes]]\ntype = "machine"\ncommand = ["uname", "-m"]\ndefault = true\nEOF\n',
  );
  execFileSync('chmod', ['+x', join(ws.root, 'builders/mini/buildpacks/uname/bin/detect'), join(ws.root, 'builders/mini/buildpacks/uname/bin/build')]);
  ws.write('app/README', 'an app with nothing to build\n');
});

afterAll(async () => {
  const images = await docker?.listImages().catch(() => []);
  for (const image of images ?? []) {
    for (const tag of image.RepoTags ?? [])
      if (tag.startsWith(repository) || apps.includes(tag))
        await docker
          .getImage(tag)
          .remove({ force: true })
          .catch(() => undefined);
  }
  ws?.remove();
});

const receipt = (key: string) => JSON.parse(readFileSync(join(ws.root, 'dist/stacks/mini', key, 'receipt.json'), 'utf8')) as ImageReceipt;
const registryPlatforms = async (reference: string) => {
  const [name, tag] = reference.slice(registry.length + 1).split(':');
  const response = await fetch(`http://${registry}/v2/${name}/manifests/${tag}`, { headers: { Accept: 'application/vnd.oci.image.index.v1+json' } });
  const index = (await response.json()) as { mediaType: string; manifests: { platform: { os: string; architecture: string } }[] };
  return { mediaType: index.mediaType, platforms: index.manifests.map((m) => `${m.platform.os}/${m.platform.architecture}`) };
};

/** The first bytes of a file in an image, read from a created container. */
async function fileHead(image: string, path: string): Promise<Buffer> {
  const container = await docker.createContainer({ Image: image, Cmd: ['/none'], Entrypoint: [] as unknown as string });
  try {
    const tar = extract();
    let head = Buffer.alloc(0);
    tar.on('entry', (_header, stream, next) => {
      stream.on('data', (c: Buffer) => (head = head.length < 64 ? Buffer.concat([head, c]) : head));
      stream.on('end', next);
    });
    const done = new Promise((resolve, reject) => tar.on('finish', resolve).on('error', reject));
    ((await container.getArchive({ path })) as NodeJS.ReadableStream).pipe(tar);
    await done;
    return head;
  } finally {
    await container.remove({ force: true });
  }
}

describe('a stack and a builder for linux/amd64 and linux/arm64', () => {
  it('builds every image for both platforms, each with its own platform args', async () => {
    const run = ws.nx('run-many', '-t', 'build-image');
    expectSuccess(run);
    expect(run.output).toContain('build | building base/build.Dockerfile for linux/amd64, linux/arm64 with BuildKit');
    expect(run.output).toMatch(/build \| linux\/arm64 \| #\d+ \[2\/2\] RUN apt-get update/);
    for (const key of ['build', 'run', 'run-static']) {
      const r = receipt(key);
      expect(r.platforms.map((p) => p.platform)).toEqual(PLATFORMS);
      for (const p of r.platforms) {
        const image = await docker.getImage(p.imageId).inspect();
        expect(`${image.Os}/${image.Architecture}`).toBe(p.platform);
        expect(p.packages.every((pkg) => pkg.architecture === 'all' || pkg.architecture === p.platform.split('/')[1])).toBe(true);
      }
      // The plain reference names the engine's own platform's image.
      expect((await docker.getImage(r.references[0]).inspect()).Id).toBe(r.platforms[0].imageId);
    }
    const marker = async (platform: string) => {
      const container = await docker.createContainer({
        Image: `${repository}/mini-build:latest-${platform.replace('/', '-')}`,
        Cmd: ['cat', '/etc/nx-cnb-marker'],
        platform,
      } as Docker.ContainerCreateOptions);
      try {
        await container.start();
        await container.wait();
        return ((await container.logs({ stdout: true })) as Buffer)
          .toString('utf8')
          .replace(/^[\s\S]{8}/, '')
          .trim();
      } finally {
        await container.remove({ force: true });
      }
    };
    expect(await marker('linux/amd64')).toBe('default');
    expect(await marker('linux/arm64')).toBe('arm64 args');
  });

  it('gives the same image IDs when nothing changed and the Nx cache is skipped', () => {
    const before = receipt('run').platforms.map((p) => p.imageId);
    expectSuccess(ws.nx('run', 'mini:image-run', '--skip-nx-cache'));
    expect(receipt('run').platforms.map((p) => p.imageId)).toEqual(before);
  });

  it('publishes each reference as an index over both platforms', async () => {
    const run = ws.nx('run', 'mini:publish');
    expectSuccess(run);
    for (const name of ['mini-build', 'mini-run', 'mini-run-static']) {
      expect(await registryPlatforms(`${repository}/${name}:latest`)).toEqual({ mediaType: 'application/vnd.oci.image.index.v1+json', platforms: PLATFORMS });
    }
    const published = JSON.parse(readFileSync(join(ws.root, 'dist/stacks/mini/publish/receipt.json'), 'utf8')).published;
    expect(
      published.find((p: { reference: string }) => p.reference === `${repository}/mini-run:latest`).platforms.map((p: { platform: string }) => p.platform),
    ).toEqual(PLATFORMS);
  });

  it('creates the builder for both platforms, each with its own lifecycle, under one index', async () => {
    expectSuccess(
      ws.nx('g', 'nx-cnb:builder', 'mini', '--stack=mini', '--buildpacks=builders/mini/buildpacks/uname', `--lifecycleUri=${lifecycleTarball('amd64')}`),
    );
    const toml = readFileSync(join(ws.root, 'builders/mini/builder.toml'), 'utf8');
    expect(toml).toContain('arch = "arm64"');
    const run = ws.nx('run', 'mini-builder:create-builder');
    expectSuccess(run);
    expect(await registryPlatforms(`${repository}/mini-builder:latest`)).toEqual({
      mediaType: 'application/vnd.oci.image.index.v1+json',
      platforms: PLATFORMS,
    });
    const builder = JSON.parse(readFileSync(join(ws.root, 'dist/builders/mini/builder/receipt.json'), 'utf8')) as BuilderReceipt;
    expect(builder.platforms.map((p) => [p.platform, p.reference])).toEqual(
      PLATFORMS.map((p) => [p, `${repository}/mini-builder:latest-${p.replace('/', '-')}`]),
    );
    // Each platform's builder carries its own architecture's lifecycle.
    for (const p of builder.platforms) {
      execFileSync('docker', ['pull', '-q', p.reference]);
      const launcher = await fileHead(p.reference, '/cnb/lifecycle/launcher');
      expect(launcher.readUInt16LE(18)).toBe(p.platform === 'linux/arm64' ? 183 : 62);
    }
  });

  it.each([
    ['linux/arm64', 'aarch64', 183],
    ['linux/amd64', 'x86_64', 62],
  ])('builds an app for %s with the published builder, which runs and prints %s', async (platform, machine, elfMachine) => {
    const app = `${repository}/app:${platform.replace('/', '-')}`;
    apps.push(app);
    execFileSync(
      pack,
      [
        'build',
        app,
        '--builder',
        `${repository}/mini-builder:latest`,
        '--platform',
        platform,
        '--run-image',
        `${repository}/mini-run:latest-${platform.replace('/', '-')}`,
        '--path',
        'app',
        '--pull-policy',
        'always',
        '--trust-builder',
      ],
      { cwd: ws.root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
    );
    const image = await docker.getImage(app).inspect();
    expect(`${image.Os}/${image.Architecture}`).toBe(platform);
    // uname -m under QEMU reports the emulated machine whatever launched it, so the launcher's own ELF header is checked too.
    expect((await fileHead(app, '/cnb/lifecycle/launcher')).readUInt16LE(18)).toBe(elfMachine);
    const output = execFileSync('docker', ['run', '--rm', '--platform', platform, app], { encoding: 'utf8' }).trim();
    expect(output).toBe(machine);
  });

  it('refuses, before building, a platform the engine cannot run', () => {
    accessSync(QEMU_ARM64, constants.W_OK);
    writeFileSync(QEMU_ARM64, '0');
    try {
      const run = ws.nx('run', 'mini:image-run', '--skip-nx-cache');
      expect(run.status).not.toBe(0);
      expect(run.output).toContain(
        'stacks/mini/base/stack.toml: platforms: expected platforms the engine (linux/amd64) can run; to build linux/arm64 on it, register QEMU for arm64 with binfmt_misc',
      );
      expect(run.output).toContain('found "linux/arm64", which the engine cannot run (exec /probe: exec format error)');
      expect(run.output).not.toContain('load metadata');
      expect(existsSync(join(ws.root, 'dist/stacks/mini/run/receipt.json'))).toBe(false);
    } finally {
      writeFileSync(QEMU_ARM64, '1');
    }
  });

  it('falls back to the classic builder, and says so, where the engine refuses BuildKit', async () => {
    // An engine in front of the real one that answers BuildKit builds as Docker 18.06 without experimental mode does.
    const proxy: Server = createServer((req, res) => {
      if (req.url?.includes('/build?') && /[?&]version=2(&|$)/.test(req.url)) {
        res.writeHead(400, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ message: 'buildkit is only supported with experimental mode' }));
        return;
      }
      const upstream = request({ socketPath: '/var/run/docker.sock', path: req.url, method: req.method, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 500, answer.headers);
        answer.pipe(res);
      });
      req.pipe(upstream);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    try {
      const port = (proxy.address() as { port: number }).port;
      const run = await new Promise<{ status: number; output: string }>((resolve) => {
        const child = ws.nxAsync({ DOCKER_HOST: `tcp://127.0.0.1:${port}` }, 'run', 'mini:image-run', '--platform=linux/amd64', '--skip-nx-cache');
        child.done.then(resolve);
      });
      expectSuccess(run);
      expect(run.output).toContain('the engine refused BuildKit (buildkit is only supported with experimental mode); building with the classic builder');
      expect(run.output).toMatch(/Step 1\/\d+ : ARG base_image/);
      expect(receipt('run')).toMatchObject({ builder: 'classic', platforms: [{ platform: 'linux/amd64' }] });
    } finally {
      proxy.close();
    }
  });
});
