import { chmodSync, createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { pack } from 'tar-stream';
import { FakeEngine } from '../../testing/fake-engine';
import { fakeIo } from '../../testing/fake-io';
import { FakePack } from '../../testing/fake-pack';
import { builtStackImage } from '../../testing/receipts';
import { putIndex } from '../../registry/registry-client';
import { createBuilder } from './create-builder';
import { writeFileIn } from '../../testing/files';

const LABELS = {
  'io.buildpacks.stack.id': 'io.buildpacks.stacks.bookworm',
  'io.buildpacks.stack.mixins': '[]',
  'io.buildpacks.base.distro.name': 'debian',
  'io.buildpacks.base.distro.version': '12',
};

const BUILDER_TOML = `
[build]
  image = "acme-build:latest"
[[run.images]]
  image = "acme-run:latest"
[lifecycle]
  version = "0.21.14"
[[buildpacks]]
  uri = "./buildpacks/app"
[[buildpacks]]
  uri = "./buildpacks/gcc"
[[buildpacks]]
  uri = "./buildpacks/hello"
[[order]]
  [[order.group]]
    id = "acme/app"
`;

const buildpackToml = (id: string, extra = '[[stacks]]\n  id = "io.buildpacks.stacks.bookworm"\n') =>
  `api = "0.10"\n[buildpack]\n  id = "${id}"\n  version = "1.0.0"\n${extra}`;

describe('createBuilder', () => {
  let root: string;
  let engine: FakeEngine;
  const write = (path: string, content: string) => writeFileIn(root, path, content);
  const options = (extra = {}) => ({
    config: 'builders/acme/builder.toml',
    builder: 'acme-builder:latest',
    outputPath: 'dist/builders/acme/builder',
    images: ['dist/stacks/acme/build', 'dist/stacks/acme/run'],
    ...extra,
  });
  const receiptFile = () => join(root, 'dist/builders/acme/builder/receipt.json');

  const savedDockerConfig = process.env.DOCKER_CONFIG;
  afterAll(() => {
    if (savedDockerConfig === undefined) delete process.env.DOCKER_CONFIG;
    else process.env.DOCKER_CONFIG = savedDockerConfig;
  });

  beforeEach(async () => {
    root = mkdtempSync(join(tmpdir(), 'nx-cnb-create-builder-'));
    // Pulls are anonymous: no credentials from the machine running the tests.
    process.env.DOCKER_CONFIG = join(root, 'docker-config');
    engine = new FakeEngine();
    write('builders/acme/builder.toml', BUILDER_TOML);
    write(
      'builders/acme/buildpacks/app/buildpack.toml',
      buildpackToml(
        'acme/app',
        '[[order]]\n  [[order.group]]\n    id = "acme/gcc"\n    version = "1.0.0"\n  [[order.group]]\n    id = "acme/hello"\n    version = "1.0.0"\n',
      ),
    );
    write('builders/acme/buildpacks/gcc/buildpack.toml', buildpackToml('acme/gcc'));
    write('builders/acme/buildpacks/hello/buildpack.toml', buildpackToml('acme/hello'));
    await builtStackImage(engine, root, 'dist/stacks/acme/build', ['acme-build:latest'], { labels: LABELS, layers: 5, user: '1001:1000' }, 'build');
    await builtStackImage(engine, root, 'dist/stacks/acme/run', ['acme-run:latest'], { labels: { ...LABELS, 'io.buildpacks.rebasable': 'true' } });
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('runs pack with the composites flattened and writes a receipt', async () => {
    const pack = new FakePack(engine);
    const receipt = await createBuilder(options(), fakeIo(root, engine, pack));
    expect(pack.calls).toEqual([
      {
        request: {
          reference: 'acme-builder:latest',
          config: join(root, 'builders/acme/builder.toml'),
          flatten: ['acme/app@1.0.0,acme/gcc@1.0.0,acme/hello@1.0.0'],
          pullPolicy: 'if-not-present',
          publish: undefined,
          labels: { 'io.nx-cnb.builder.inputs': expect.stringMatching(/^sha256:[0-9a-f]{64}$/) },
        },
        cwd: join(root, 'builders/acme'),
      },
    ]);
    expect(receipt).toMatchObject({
      builder: 'acme-builder:latest',
      imageId: engine.resolve('acme-builder:latest'),
      packVersion: '0.40.6',
      buildImage: 'acme-build:latest',
      runImages: ['acme-run:latest'],
      buildpacks: ['./buildpacks/app', './buildpacks/gcc', './buildpacks/hello'],
      layers: 11,
      // 5 build image layers + 6 of pack's own + 1 flattened group.
      estimatedLayers: 12,
    });
    expect(JSON.parse(readFileSync(receiptFile(), 'utf8'))).toEqual(receipt);
  });

  describe('a builder made from the same inputs', () => {
    it('is left as it is: pack does not run and the receipt names the same image', async () => {
      const pack = new FakePack(engine);
      const first = await createBuilder(options(), fakeIo(root, engine, pack));
      const io = fakeIo(root, engine, pack);
      const again = await createBuilder(options(), io);
      expect(pack.calls).toHaveLength(1);
      expect(again).toEqual(first);
      expect(io.lines.find((l) => l.includes('up to date'))).toMatch(
        /^builder \| acme-builder:latest is up to date: it was made from the same inputs \([0-9a-f]{12}\), so pack is not run$/,
      );
    });

    it.each([
      ['a buildpack file changes', () => write('builders/acme/buildpacks/gcc/bin/build', '#!/bin/sh\n')],
      ['a buildpack file becomes executable', () => chmodSync(join(root, 'builders/acme/buildpacks/gcc/buildpack.toml'), 0o755)],
      ['builder.toml changes', () => write('builders/acme/builder.toml', `description = "new"\n${BUILDER_TOML}`)],
      ['a stack image is rebuilt', () => builtStackImage(engine, root, 'dist/stacks/acme/run', ['acme-run:latest'], { labels: { ...LABELS, rebuilt: '1' } })],
      ['the builder is gone from the engine', () => engine.remove(engine.resolve('acme-builder:latest')!)],
    ])('is made again when %s', async (_, change) => {
      const pack = new FakePack(engine);
      await createBuilder(options(), fakeIo(root, engine, pack));
      await change();
      await createBuilder(options(), fakeIo(root, engine, pack));
      expect(pack.calls).toHaveLength(2);
    });

    it('is made again every time when a buildpack is not pinned by digest, as pack fetches it anew', async () => {
      write('builders/acme/builder.toml', `${BUILDER_TOML}[[buildpacks]]\n  uri = "docker://registry.example.com/acme/node:1"\n`);
      const pack = new FakePack(engine);
      const io = fakeIo(root, engine, pack);
      await createBuilder(options(), io);
      await createBuilder(options(), io);
      expect(pack.calls).toHaveLength(2);
      expect(pack.calls[0].request.labels).toEqual({});
      expect(io.lines).toContain(
        'builder | pack runs every time, as it fetches what may have changed since: buildpacks[3].uri "docker://registry.example.com/acme/node:1" (pin them by digest to skip unchanged builders)',
      );
    });

    it('is left as it is in the registry when published', async () => {
      for (const name of ['acme-build', 'acme-run']) await engine.registry.pushed(`${name}:latest`, engine.resolve(`${name}:latest`)!);
      const pack = new FakePack(engine);
      const first = await createBuilder(options({ publish: true }), fakeIo(root, engine, pack));
      const again = await createBuilder(options({ publish: true }), fakeIo(root, engine, pack));
      expect(pack.calls).toHaveLength(1);
      expect(again.digest).toBe(first.digest);
    });
  });

  it('loads stack images that a cache hit left out of the engine', async () => {
    engine.remove(engine.resolve('acme-run:latest')!);
    const io = fakeIo(root, engine, new FakePack(engine));
    await createBuilder(options(), io);
    expect(io.lines).toContain('builder | acme-run:latest: loaded from the saved image');
    expect(engine.resolve('acme-run:latest')).toBeDefined();
  });

  it('names an image that no stack makes, the engine lacks and no registry serves, before pack runs', async () => {
    write('builders/acme/builder.toml', BUILDER_TOML.replace('acme-run:latest', 'elsewhere/run:1'));
    const pack = new FakePack(engine);
    await expect(createBuilder(options({ images: ['dist/stacks/acme/build'] }), fakeIo(root, engine, pack))).rejects.toThrow(
      'builders/acme/builder.toml: run.images[0].image: expected a run image that a stack in the workspace makes or that the engine has or can pull, found "elsewhere/run:1", which no stack in the workspace makes and the engine lacks (pulling elsewhere/run:1 failed: manifest for elsewhere/run:1 not found)',
    );
    expect(pack.calls).toEqual([]);
    expect(existsSync(receiptFile())).toBe(false);
  });

  it('pulls a registry image the builder names when the pull policy allows, and not when it is "never"', async () => {
    write('builders/acme/builder.toml', BUILDER_TOML.replace('acme-run:latest', 'registry.example.com/acme/run:1'));
    engine.pullable.set('registry.example.com/acme/run:1', { ...engine.image('acme-run:latest')! });
    const io = fakeIo(root, engine, new FakePack(engine));
    await createBuilder(options({ images: ['dist/stacks/acme/build'] }), io);
    expect(engine.pulls).toEqual(['registry.example.com/acme/run:1']);
    expect(io.lines).toContain('builder | registry.example.com/acme/run:1 | registry.example.com/acme/run:1: Pulled');

    engine.remove(engine.resolve('registry.example.com/acme/run:1')!);
    await expect(
      createBuilder(options({ images: ['dist/stacks/acme/build'], pullPolicy: 'never' }), fakeIo(root, engine, new FakePack(engine))),
    ).rejects.toThrow('found "registry.example.com/acme/run:1", which no stack in the workspace makes and the engine lacks');
    expect(engine.pulls).toHaveLength(1);
  });

  it('pulls an image the engine has when the pull policy is "always", as pack will', async () => {
    write('builders/acme/builder.toml', BUILDER_TOML.replace('acme-run:latest', 'registry.example.com/acme/run:1'));
    engine.pullable.set('registry.example.com/acme/run:1', { ...engine.image('acme-run:latest')! });
    await createBuilder(options({ images: ['dist/stacks/acme/build'] }), fakeIo(root, engine, new FakePack(engine)));
    await createBuilder(options({ images: ['dist/stacks/acme/build'], pullPolicy: 'always' }), fakeIo(root, engine, new FakePack(engine)));
    expect(engine.pulls).toEqual(['registry.example.com/acme/run:1', 'registry.example.com/acme/run:1']);
  });

  // What pack finds only after downloading the buildpacks and lifecycle, found before pack runs.
  it.each([
    [
      'an order entry naming a buildpack the builder lacks',
      { 'builders/acme/builder.toml': BUILDER_TOML.replace('id = "acme/app"', 'id = "acme/ap"') },
      'builders/acme/builder.toml: order[0].group[0]: expected a buildpack on the builder (acme/app@1.0.0, acme/gcc@1.0.0, acme/hello@1.0.0), found "acme/ap"',
    ],
    [
      'an order entry naming a version the builder lacks',
      { 'builders/acme/builder.toml': BUILDER_TOML.replace('id = "acme/app"', 'id = "acme/app"\n    version = "2.0.0"') },
      'builders/acme/builder.toml: order[0].group[0]: expected a buildpack on the builder (acme/app@1.0.0, acme/gcc@1.0.0, acme/hello@1.0.0), found "acme/app@2.0.0"',
    ],
    [
      'a composite ordering a buildpack the builder lacks',
      { 'builders/acme/builder.toml': BUILDER_TOML.replace('[[buildpacks]]\n  uri = "./buildpacks/hello"\n', '') },
      'builders/acme/builder.toml: buildpacks[0]: expected a [[buildpacks]] entry for every buildpack that composite "acme/app@1.0.0" orders, found none for "acme/hello@1.0.0"',
    ],
    [
      'a version that differs between builder.toml and buildpack.toml',
      { 'builders/acme/builder.toml': BUILDER_TOML.replace('uri = "./buildpacks/gcc"', 'uri = "./buildpacks/gcc"\n  version = "1.0.1"') },
      'builders/acme/builder.toml: buildpacks[1].version: expected the version its buildpack.toml declares ("1.0.0" in builders/acme/buildpacks/gcc/buildpack.toml), found "1.0.1"',
    ],
    [
      'an id that differs between builder.toml and buildpack.toml',
      { 'builders/acme/builder.toml': BUILDER_TOML.replace('uri = "./buildpacks/gcc"', 'uri = "./buildpacks/gcc"\n  id = "acme/cc"') },
      'builders/acme/builder.toml: buildpacks[1].id: expected the id its buildpack.toml declares ("acme/gcc" in builders/acme/buildpacks/gcc/buildpack.toml), found "acme/cc"',
    ],
    [
      'a Buildpack API the lifecycle cannot run',
      { 'builders/acme/buildpacks/gcc/buildpack.toml': buildpackToml('acme/gcc').replace('api = "0.10"', 'api = "0.6"') },
      'builders/acme/builder.toml: buildpacks[1]: expected a buildpack whose Buildpack API lifecycle 0.21.14 runs (0.7, 0.8, 0.9, 0.10, 0.11, 0.12), found "acme/gcc@1.0.0" with api "0.6" (builders/acme/buildpacks/gcc/buildpack.toml)',
    ],
    [
      'a buildpack archive that does not exist',
      { 'builders/acme/builder.toml': `${BUILDER_TOML}[[buildpacks]]\n  uri = "./dist/motd.cnb"\n` },
      'builders/acme/builder.toml: buildpacks[3].uri: expected a file that exists (pack resolves a relative path from builder.toml\'s folder), found "./dist/motd.cnb", which is not there',
    ],
    [
      'a lifecycle tarball that does not exist',
      { 'builders/acme/builder.toml': BUILDER_TOML.replace('version = "0.21.14"', 'uri = "../../.cache/lifecycle.tgz"') },
      'builders/acme/builder.toml: lifecycle.uri: expected a file that exists (pack resolves a relative path from builder.toml\'s folder), found "../../.cache/lifecycle.tgz", which is not there',
    ],
  ])('refuses %s before pack runs', async (_what, files, message) => {
    for (const [path, content] of Object.entries(files)) write(path, content);
    const pack = new FakePack(engine);
    await expect(createBuilder(options(), fakeIo(root, engine, pack))).rejects.toThrow(message);
    expect(pack.calls).toEqual([]);
  });

  it('reads the Buildpack APIs of a local lifecycle tarball from its lifecycle.toml', async () => {
    const tar = pack();
    tar.entry({ name: 'lifecycle.toml' }, '[apis]\n[apis.buildpack]\n  deprecated = []\n  supported = ["0.11", "0.12"]\n[lifecycle]\n  version = "9.9.9"\n');
    tar.entry({ name: 'lifecycle/lifecycle' }, 'binary');
    tar.finalize();
    mkdirSync(join(root, 'lifecycles'));
    await pipeline(tar, createGzip(), createWriteStream(join(root, 'lifecycles/lifecycle.tgz')));
    write('builders/acme/builder.toml', BUILDER_TOML.replace('version = "0.21.14"', 'uri = "../../lifecycles/lifecycle.tgz"'));
    await expect(createBuilder(options(), fakeIo(root, engine, new FakePack(engine)))).rejects.toThrow(
      'builders/acme/builder.toml: buildpacks[0]: expected a buildpack whose Buildpack API lifecycle 9.9.9 runs (0.11, 0.12), found "acme/app@1.0.0" with api "0.10" (builders/acme/buildpacks/app/buildpack.toml)',
    );
  });

  it('warns about unknown keys in a buildpack.toml, as pack ignores them', async () => {
    write('builders/acme/buildpacks/gcc/buildpack.toml', buildpackToml('acme/gcc').replace('version = "1.0.0"', 'version = "1.0.0"\n  colour = "red"'));
    const io = fakeIo(root, engine, new FakePack(engine));
    await createBuilder(options(), io);
    expect(io.lines).toContain(
      'warning: builders/acme/buildpacks/gcc/buildpack.toml: buildpack.colour: expected one of the known keys (id, name, version, homepage, clear-env, description, keywords, sbom-formats, licenses, exec-env), found an unknown key, which pack ignores',
    );
  });

  it('refuses a buildpack for another stack before pack runs', async () => {
    write('builders/acme/buildpacks/hello/buildpack.toml', buildpackToml('acme/hello', '[[stacks]]\n  id = "io.buildpacks.stacks.jammy"\n'));
    const pack = new FakePack(engine);
    await expect(createBuilder(options(), fakeIo(root, engine, pack))).rejects.toThrow(
      'builders/acme/builder.toml: buildpacks: expected a buildpack that supports the stack "io.buildpacks.stacks.bookworm" of build image "acme-build:latest", found "acme/hello@1.0.0" with [[stacks]] "io.buildpacks.stacks.jammy"',
    );
    expect(pack.calls).toEqual([]);
  });

  it('stops a builder over the layer limit with the count and what to flatten', async () => {
    engine.image('acme-build:latest')!.layers = 120;
    await expect(createBuilder(options({ flatten: 'none' }), fakeIo(root, engine, new FakePack(engine)))).rejects.toThrow(
      "builders/acme/builder.toml: the builder would have 129 layers, over Docker's limit of 127 (120 from the build image, 3 buildpacks in layers of their own, 0 flattened groups).",
    );
  });

  it('passes pack the groups it is given, and no flattening for "none"', async () => {
    const pack = new FakePack(engine);
    await createBuilder(options({ flatten: ['acme/gcc@1.0.0,acme/hello@1.0.0'] }), fakeIo(root, engine, pack));
    await createBuilder(options({ flatten: 'none', pullPolicy: 'never' }), fakeIo(root, engine, pack));
    expect(pack.calls.map((c) => [c.request.flatten, c.request.pullPolicy])).toEqual([
      [['acme/gcc@1.0.0,acme/hello@1.0.0'], 'if-not-present'],
      [[], 'never'],
    ]);
  });

  it('reports what pack said when it fails, and leaves no receipt', async () => {
    await expect(createBuilder(options(), fakeIo(root, engine, new FakePack(engine, 'ERROR: failed to create builder: boom')))).rejects.toThrow(
      'pack builder create failed (exit code 1):\nERROR: failed to create builder: boom',
    );
    expect(existsSync(receiptFile())).toBe(false);
  });

  it('says which stack image has not been built', async () => {
    rmSync(join(root, 'dist/stacks/acme/run'), { recursive: true });
    await expect(createBuilder(options(), fakeIo(root, engine, new FakePack(engine)))).rejects.toThrow(
      'dist/stacks/acme/run: no receipt.json; build the stack image first (nx run-many -t build-image)',
    );
  });

  describe('for several platforms', () => {
    const MULTI = BUILDER_TOML.replace(/acme-(build|run):latest/g, '127.0.0.1:5000/acme/acme-$1:latest').replace(
      '[lifecycle]\n  version = "0.21.14"',
      '[lifecycle]\n  uri = "../../lifecycle/lifecycle-v0.21.14+linux.amd64.tgz"\n[[targets]]\n  os = "linux"\n  arch = "amd64"\n[[targets]]\n  os = "linux"\n  arch = "arm64"',
    );
    const multiOptions = (extra = {}) =>
      options({ builder: '127.0.0.1:5000/acme/builder:latest', images: ['dist/stacks/acme/build-multi', 'dist/stacks/acme/run-multi'], ...extra });

    beforeEach(async () => {
      write('builders/acme/builder.toml', MULTI);
      write('lifecycle/lifecycle-v0.21.14+linux.amd64.tgz', 'amd64');
      write('lifecycle/lifecycle-v0.21.14+linux.arm64.tgz', 'arm64');
      const both = ['linux/amd64', 'linux/arm64'];
      await builtStackImage(
        engine,
        root,
        'dist/stacks/acme/build-multi',
        ['127.0.0.1:5000/acme/acme-build:latest'],
        { labels: LABELS, user: '1001:1000' },
        'build',
        both,
      );
      await builtStackImage(engine, root, 'dist/stacks/acme/run-multi', ['127.0.0.1:5000/acme/acme-run:latest'], { labels: LABELS }, 'run', both);
    });

    /** The stack images as their stack's publish leaves them: an index per reference. */
    const publishStackImages = async (platforms = ['linux/amd64', 'linux/arm64']) => {
      for (const name of ['acme-build', 'acme-run']) {
        const reference = `127.0.0.1:5000/acme/${name}:latest`;
        const sources = [];
        for (const platform of platforms) {
          const source = `${reference}-${platform.replace('/', '-')}`;
          await engine.registry.pushed(source, engine.resolve(source)!);
          sources.push({ platform, reference: source });
        }
        await putIndex(engine.registry, reference, sources);
      }
    };

    it('creates each platform in the registry with its own lifecycle, then one index', async () => {
      await publishStackImages();
      const pack = new FakePack(engine);
      const receipt = await createBuilder(multiOptions(), fakeIo(root, engine, pack));

      expect(pack.calls.map((c) => [c.request.reference, c.request.targets, c.request.publish])).toEqual([
        ['127.0.0.1:5000/acme/builder:latest-linux-amd64', ['linux/amd64'], true],
        ['127.0.0.1:5000/acme/builder:latest-linux-arm64', ['linux/arm64'], true],
      ]);
      const armConfig = readFileSync(pack.calls[1].request.config, 'utf8');
      expect(armConfig).toContain(`uri = "${join(root, 'lifecycle/lifecycle-v0.21.14+linux.arm64.tgz')}"`);
      expect(armConfig).toContain(`uri = "${join(root, 'builders/acme/buildpacks/gcc')}"`);
      expect(pack.calls[1].request.config).toBe(join(root, 'dist/builders/acme/builder/builder-linux-arm64.toml'));

      const index = engine.registry.document('127.0.0.1:5000/acme/builder:latest')!;
      expect(index.manifests!.map((m) => m.platform.architecture)).toEqual(['amd64', 'arm64']);
      expect(receipt).toMatchObject({
        imageId: '',
        digest: (await engine.registry.getManifest('127.0.0.1:5000/acme/builder:latest'))!.digest,
        platforms: [
          { platform: 'linux/amd64', reference: '127.0.0.1:5000/acme/builder:latest-linux-amd64', digest: index.manifests![0].digest },
          { platform: 'linux/arm64', reference: '127.0.0.1:5000/acme/builder:latest-linux-arm64', digest: index.manifests![1].digest },
        ],
      });
    });

    it('leaves the index as it is when made from the same inputs, and makes it again when a lifecycle changes', async () => {
      await publishStackImages();
      const pack = new FakePack(engine);
      const first = await createBuilder(multiOptions(), fakeIo(root, engine, pack));
      const again = await createBuilder(multiOptions(), fakeIo(root, engine, pack));
      expect(pack.calls).toHaveLength(2);
      expect(again).toEqual(first);

      write('lifecycle/lifecycle-v0.21.14+linux.arm64.tgz', 'arm64, newer');
      const third = await createBuilder(multiOptions(), fakeIo(root, engine, pack));
      expect(pack.calls).toHaveLength(4);
      expect(third.digest).not.toBe(first.digest);
    });

    it('needs the stack images in the registry for every platform, before pack runs', async () => {
      await publishStackImages(['linux/amd64']);
      const pack = new FakePack(engine);
      await expect(createBuilder(multiOptions(), fakeIo(root, engine, pack))).rejects.toThrow(
        "builders/acme/builder.toml: build.image: expected an image the registry serves for linux/amd64 and linux/arm64, as pack creates each platform's builder from the registry (publish its stack first: nx run <stack>:publish), found 127.0.0.1:5000/acme/acme-build:latest, which it serves for linux/amd64",
      );
      expect(pack.calls).toEqual([]);
    });

    it('needs a lifecycle tarball for every platform', async () => {
      await publishStackImages();
      rmSync(join(root, 'lifecycle/lifecycle-v0.21.14+linux.arm64.tgz'));
      await expect(createBuilder(multiOptions(), fakeIo(root, engine, new FakePack(engine)))).rejects.toThrow(
        `builders/acme/builder.toml: lifecycle.uri: expected a lifecycle tarball for linux/arm64 beside the one named, found no file at ${join(root, 'lifecycle/lifecycle-v0.21.14+linux.arm64.tgz')}`,
      );
    });

    it('needs a builder named for a registry', async () => {
      await expect(createBuilder(multiOptions({ builder: 'acme-builder:latest' }), fakeIo(root, engine, new FakePack(engine)))).rejects.toThrow(
        'builders/acme/builder.toml: targets: expected a builder named for a registry, as pack creates a builder of several platforms (linux/amd64, linux/arm64) only in a registry',
      );
    });
  });

  it.each([
    [{ builder: 'acme-builder:$(reboot)' }, 'nx-cnb:create-builder: options.builder tags[0]: expected a Docker tag'],
    [{ flatten: ['acme/app'] }, 'nx-cnb:create-builder: options.flatten[0]: expected a group "id@version,id@version", found "acme/app"'],
  ])('refuses the options %j', async (extra, message) => {
    await expect(createBuilder(options(extra), fakeIo(root, engine, new FakePack(engine)))).rejects.toThrow(message);
  });
});
