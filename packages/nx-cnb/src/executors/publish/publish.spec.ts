import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeEngine } from '../../testing/fake-engine';
import { fakeIo } from '../../testing/fake-io';
import { builtStackImage } from '../../testing/receipts';
import { publish } from './publish';
import { writeFileIn } from '../../testing/files';

describe('publish', () => {
  let root: string;
  let engine: FakeEngine;
  const savedDockerConfig = process.env.DOCKER_CONFIG;
  const write = (path: string, content: string) => writeFileIn(root, path, content);
  const publishReceipt = () => JSON.parse(readFileSync(join(root, 'dist/publish/receipt.json'), 'utf8'));

  beforeEach(async () => {
    root = mkdtempSync(join(tmpdir(), 'nx-cnb-publish-'));
    engine = new FakeEngine();
    process.env.DOCKER_CONFIG = join(root, 'docker-config');
    await builtStackImage(engine, root, 'dist/run', ['127.0.0.1:5000/acme/run:latest'], { labels: {} });
  });
  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
    if (savedDockerConfig === undefined) delete process.env.DOCKER_CONFIG;
    else process.env.DOCKER_CONFIG = savedDockerConfig;
  });

  it('pushes every reference and extra tag with the credentials of its registry, and records the digests', async () => {
    const auth = Buffer.from('ci:hunter2').toString('base64');
    write('docker-config/config.json', JSON.stringify({ auths: { '127.0.0.1:5000': { auth } } }));
    const io = fakeIo(root, engine);
    const published = await publish({ receipts: ['dist/run'], tags: ['1.4.0'], outputPath: 'dist/publish' }, io);

    expect(engine.pushes.map((p) => [p.reference, p.auth])).toEqual([
      ['127.0.0.1:5000/acme/run:latest', { username: 'ci', password: 'hunter2', serveraddress: '127.0.0.1:5000' }],
      ['127.0.0.1:5000/acme/run:1.4.0', { username: 'ci', password: 'hunter2', serveraddress: '127.0.0.1:5000' }],
    ]);
    expect(publishReceipt()).toEqual({ receiptVersion: 2, published, commit: null, version: null, files: ['run/receipt.json'] });
    expect(existsSync(join(root, 'dist/publish/run/receipt.json'))).toBe(true);
    expect(published.map((p) => p.reference)).toEqual(['127.0.0.1:5000/acme/run:latest', '127.0.0.1:5000/acme/run:1.4.0']);
    const everything = io.lines.join('\n') + readFileSync(join(root, 'dist/publish/receipt.json'), 'utf8');
    expect(everything).not.toContain('hunter2');
    expect(everything).not.toContain(auth);
  });

  it('publishes a release: its version as a tag, the notes with digests and the SBOMs beside the publish receipt', async () => {
    const receipt = JSON.parse(readFileSync(join(root, 'dist/run/receipt.json'), 'utf8'));
    write('dist/run/sbom.linux-amd64.cdx.json', '{"bomFormat": "CycloneDX"}');
    write(
      'dist/release/release.json',
      JSON.stringify({ version: '1.2.4', images: [{ image: 'run', platform: 'linux/amd64', imageId: receipt.platforms[0].imageId }] }),
    );
    write('dist/release/release-notes.md', '# acme 1.2.4\n');
    const io = fakeIo(root, engine);
    const published = await publish({ receipts: ['dist/run'], outputPath: 'dist/publish', releasePath: 'dist/release' }, io);
    expect(published.map((p) => p.reference)).toEqual(['127.0.0.1:5000/acme/run:latest', '127.0.0.1:5000/acme/run:1.2.4']);
    expect(publishReceipt()).toMatchObject({ version: '1.2.4', files: ['run/receipt.json', 'run/sbom.linux-amd64.cdx.json', 'release-notes.md'] });
    expect(readFileSync(join(root, 'dist/publish/release-notes.md'), 'utf8')).toBe(
      `# acme 1.2.4\n\n## Published\n\n- \`127.0.0.1:5000/acme/run:latest@${published[0].digest}\`\n- \`127.0.0.1:5000/acme/run:1.2.4@${published[1].digest}\`\n`,
    );
  });

  it('leaves out release notes that describe other images, with a warning', async () => {
    write('dist/release/release.json', JSON.stringify({ version: '1.2.4', images: [{ image: 'run', platform: 'linux/amd64', imageId: 'sha256:old' }] }));
    const io = fakeIo(root, engine);
    const published = await publish({ receipts: ['dist/run'], outputPath: 'dist/publish', releasePath: 'dist/release' }, io);
    expect(published.map((p) => p.reference)).toEqual(['127.0.0.1:5000/acme/run:latest']);
    expect(io.lines).toContain(
      'warning: dist/release: the release notes describe other images than these; run release-notes again to publish them as a release',
    );
    expect(publishReceipt().version).toBeNull();
  });

  it('publishes a release of several platforms only when its notes name every platform, with each platform digest', async () => {
    const multi = await builtStackImage(engine, root, 'dist/multi', ['127.0.0.1:5000/acme/build:latest'], { labels: {} }, 'build', [
      'linux/amd64',
      'linux/arm64',
    ]);
    const images = multi.platforms.map((p) => ({ image: 'build', platform: p.platform, imageId: p.imageId }));
    write('dist/release/release-notes.md', '# acme 1.2.4\n');
    write('dist/release/release.json', JSON.stringify({ version: '1.2.4', images: images.slice(0, 1) }));
    const stale = fakeIo(root, engine);
    await publish({ receipts: ['dist/multi'], outputPath: 'dist/publish', releasePath: 'dist/release' }, stale);
    expect(stale.lines).toContain(
      'warning: dist/release: the release notes describe other images than these; run release-notes again to publish them as a release',
    );

    write('dist/release/release.json', JSON.stringify({ version: '1.2.4', images: [...images].reverse() }));
    const published = await publish({ receipts: ['dist/multi'], outputPath: 'dist/publish', releasePath: 'dist/release' }, fakeIo(root, engine));
    expect(published.map((p) => p.reference)).toEqual(['127.0.0.1:5000/acme/build:latest', '127.0.0.1:5000/acme/build:1.2.4']);
    const notes = readFileSync(join(root, 'dist/publish/release-notes.md'), 'utf8');
    for (const p of published) {
      expect(notes).toContain(
        `- \`${p.reference}@${p.digest}\`\n  - linux/amd64: \`${p.platforms![0].digest}\`\n  - linux/arm64: \`${p.platforms![1].digest}\``,
      );
    }
  });

  it('refuses a release record that is not one, naming the file', async () => {
    write('dist/release/release.json', '{"version": 3}');
    await expect(publish({ receipts: ['dist/run'], outputPath: 'dist/publish', releasePath: 'dist/release' }, fakeIo(root, engine))).rejects.toThrow(
      'dist/release/release.json: (file): expected the release record release-notes writes (version, images), found another file',
    );
    expect(engine.pushes).toEqual([]);
  });

  it('lists what it would push on a dry run and pushes nothing', async () => {
    const io = fakeIo(root, engine);
    expect(await publish({ receipts: ['dist/run'], outputPath: 'dist/publish', dryRun: true }, io)).toEqual([]);
    expect(engine.pushes).toEqual([]);
    expect(io.lines).toEqual([expect.stringMatching(/^would push 127\.0\.0\.1:5000\/acme\/run:latest \(linux\/amd64 [0-9a-f]{12}\)$/)]);
    expect(readdirSync(join(root, 'dist/publish'))).toEqual([]);
  });

  it('pushes a builder and its run-image mirrors', async () => {
    const builderId = engine.add(
      { os: 'linux', architecture: 'amd64', env: [], labels: {}, files: {}, layers: 11, size: 1 },
      '127.0.0.1:5000/acme/builder:latest',
    );
    write(
      'dist/builder/receipt.json',
      JSON.stringify({
        receiptVersion: 2,
        builder: '127.0.0.1:5000/acme/builder:latest',
        imageId: builderId,
        digest: null,
        platforms: [{ platform: 'linux/amd64', reference: '127.0.0.1:5000/acme/builder:latest', digest: null }],
      }),
    );
    write(
      'builders/acme/builder.toml',
      '[build]\n  image = "127.0.0.1:5000/acme/build"\n[[run.images]]\n  image = "127.0.0.1:5000/acme/run"\n  mirrors = ["127.0.0.1:5000/mirror/run:latest"]\n[lifecycle]\n  version = "0.21.14"\n',
    );
    await publish({ receipts: ['dist/builder'], builderConfig: 'builders/acme/builder.toml', outputPath: 'dist/publish' }, fakeIo(root, engine));
    expect(engine.pushes.map((p) => [p.reference, p.imageId])).toEqual([
      ['127.0.0.1:5000/acme/builder:latest', builderId],
      ['127.0.0.1:5000/mirror/run:latest', engine.resolve('127.0.0.1:5000/acme/run:latest')],
    ]);
  });

  it('pushes an image of several platforms per platform and makes each reference an index over them', async () => {
    await builtStackImage(engine, root, 'dist/multi', ['127.0.0.1:5000/acme/build:latest'], { labels: {} }, 'build', ['linux/amd64', 'linux/arm64']);
    const published = await publish({ receipts: ['dist/multi'], tags: ['1.4.0'], outputPath: 'dist/publish' }, fakeIo(root, engine));

    expect(engine.pushes.map((p) => p.reference)).toEqual([
      '127.0.0.1:5000/acme/build:latest-linux-amd64',
      '127.0.0.1:5000/acme/build:latest-linux-arm64',
      '127.0.0.1:5000/acme/build:1.4.0-linux-amd64',
      '127.0.0.1:5000/acme/build:1.4.0-linux-arm64',
    ]);
    for (const tag of ['latest', '1.4.0']) {
      const index = engine.registry.document(`127.0.0.1:5000/acme/build:${tag}`)!;
      expect(index.manifests!.map((m) => [m.platform.architecture, m.digest])).toEqual([
        ['amd64', (await engine.registry.getManifest(`127.0.0.1:5000/acme/build:${tag}-linux-amd64`))!.digest],
        ['arm64', (await engine.registry.getManifest(`127.0.0.1:5000/acme/build:${tag}-linux-arm64`))!.digest],
      ]);
    }
    expect(published[0]).toEqual({
      reference: '127.0.0.1:5000/acme/build:latest',
      digest: (await engine.registry.getManifest('127.0.0.1:5000/acme/build:latest'))!.digest,
      platforms: [
        { platform: 'linux/amd64', digest: expect.stringMatching(/^sha256:/) },
        { platform: 'linux/arm64', digest: expect.stringMatching(/^sha256:/) },
      ],
    });
    expect(publishReceipt().published).toEqual(published);
  });

  it('gives a builder that pack made per platform in the registry its extra tags as indexes, pushing nothing', async () => {
    for (const platform of ['linux-amd64', 'linux-arm64']) await engine.registry.pushed(`127.0.0.1:5000/acme/builder:latest-${platform}`, `sha256:${platform}`);
    write(
      'dist/builder/receipt.json',
      JSON.stringify({
        receiptVersion: 2,
        builder: '127.0.0.1:5000/acme/builder:latest',
        imageId: '',
        digest: 'sha256:index',
        platforms: ['linux/amd64', 'linux/arm64'].map((platform) => ({
          platform,
          reference: `127.0.0.1:5000/acme/builder:latest-${platform.replace('/', '-')}`,
          digest: null,
        })),
      }),
    );
    await publish({ receipts: ['dist/builder'], tags: ['2.0.0'], outputPath: 'dist/publish' }, fakeIo(root, engine));
    expect(engine.pushes).toEqual([]);
    expect(engine.registry.document('127.0.0.1:5000/acme/builder:2.0.0')!.manifests!.map((m) => m.platform.architecture)).toEqual(['amd64', 'arm64']);
  });

  it('copies images the cache registry holds by digest, pushing nothing through the engine', async () => {
    const r = await builtStackImage(
      engine,
      root,
      'dist/cached',
      ['127.0.0.1:5000/acme/run:latest'],
      { labels: {} },
      'run',
      ['linux/amd64', 'linux/arm64'],
      '127.0.0.1:5000/cache',
    );
    for (const p of r.platforms) engine.remove(p.imageId);
    const published = await publish({ receipts: ['dist/cached'], outputPath: 'dist/publish' }, fakeIo(root, engine));
    expect(engine.pushes).toEqual([]);
    expect(engine.registry.copies).toEqual([
      { source: r.platforms[0].cached, target: '127.0.0.1:5000/acme/run:latest-linux-amd64' },
      { source: r.platforms[1].cached, target: '127.0.0.1:5000/acme/run:latest-linux-arm64' },
    ]);
    expect(engine.registry.document('127.0.0.1:5000/acme/run:latest')!.manifests!.map((m) => m.platform.architecture)).toEqual(['amd64', 'arm64']);
    expect(published[0].platforms!.map((p) => p.digest)).toEqual(r.platforms.map((p) => p.cached!.split('@')[1]));
  });

  it('refuses names without a registry, which would go to Docker Hub', async () => {
    await builtStackImage(engine, root, 'dist/hub', ['acme/run:latest'], { labels: {} });
    await expect(publish({ receipts: ['dist/hub'], outputPath: 'dist/publish' }, fakeIo(root, engine))).rejects.toThrow(
      'publish: acme/run:latest names no registry, so it would go to Docker Hub.',
    );
    expect(engine.pushes).toEqual([]);
    expect(existsSync(join(root, 'dist/publish/receipt.json'))).toBe(false);
  });

  it('refuses a tag that is no Docker tag', async () => {
    await expect(publish({ receipts: ['dist/run'], tags: ['1.0', 'a b'], outputPath: 'dist/publish' }, fakeIo(root, engine))).rejects.toThrow(
      'nx-cnb:publish: options.tags[1]: expected a Docker tag: letters, digits, "_", "." and "-", at most 128, found "a b"',
    );
  });
});
