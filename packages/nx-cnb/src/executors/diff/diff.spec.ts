import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { putIndex } from '../../registry/registry-client';
import { FakeEngine, type FakeImage } from '../../testing/fake-engine';
import { fakeIo } from '../../testing/fake-io';
import { commitAll, imageReceiptOf, platformImageOf, releaseImageOf, sourcesNow, writeImageReceipt } from '../../testing/receipts';
import { diffStack } from './diff';
import { writeFileIn } from '../../testing/files';

const RUN = '127.0.0.1:5000/acme/acme-run:latest';
const BUILD = '127.0.0.1:5000/acme/acme-build:latest';
const options = (extra = {}) => ({
  project: 'acme',
  stack: 'stacks/acme',
  images: [releaseImageOf('build'), releaseImageOf('run')],
  publishPath: 'dist/stacks/acme/publish',
  outputPath: 'dist/stacks/acme/diff',
  ...extra,
});

/** An image whose dpkg status lists the packages ("name=version") for its architecture. */
function imageWith(architecture: string, packages: string[]): FakeImage {
  const status = packages.map((p) => `Package: ${p.split('=')[0]}\nStatus: install ok installed\nVersion: ${p.split('=')[1]}\nArchitecture: ${architecture}\n`);
  return { os: 'linux', architecture, env: [], labels: {}, files: { '/var/lib/dpkg/status': status.join('\n') }, layers: 2, size: 1 };
}

describe('diffStack', () => {
  let root: string;
  let engine: FakeEngine;
  const write = (path: string, content: string) => writeFileIn(root, path, content);

  /** The current build, made from the stack's files as they are: the run image traded zip for unzip; both images for amd64 and arm64. */
  async function build(runPackages = ['libc6=2.36-9+deb12u10', 'unzip=6.0-28']): Promise<void> {
    const packages = { build: ['libc6=2.36-9+deb12u10', 'zip=3.0-13'], run: runPackages };
    for (const key of ['build', 'run'] as const) {
      const receipt = imageReceiptOf({
        image: key,
        references: [key === 'build' ? BUILD : RUN],
        platforms: ['linux/amd64', 'linux/arm64'].map((p) => platformImageOf(p, `sha256:${key[0]}-${p}`, packages[key])),
        sources: (await sourcesNow(root, releaseImageOf(key))) ?? null,
      });
      writeImageReceipt(root, `dist/stacks/acme/${key}`, receipt);
    }
  }

  beforeEach(async () => {
    root = mkdtempSync(join(tmpdir(), 'nx-cnb-diff-'));
    engine = new FakeEngine();
    write('stacks/acme/stack.toml', 'id = "acme"\n');
    write('.gitignore', 'dist\n');
    commitAll(root);
    await build();
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  /** The last publish: arm64's build image had an older libc6; the run image had zip and no arm64 image yet. */
  function publishBaseline(): void {
    writeImageReceipt(
      root,
      'dist/stacks/acme/publish/build',
      imageReceiptOf({
        image: 'build',
        references: [BUILD],
        platforms: [
          platformImageOf('linux/amd64', 'sha256:old-b-amd64', ['libc6=2.36-9+deb12u10', 'zip=3.0-13']),
          platformImageOf('linux/arm64', 'sha256:old-b-arm64', ['libc6=2.36-9+deb12u7', 'zip=3.0-13']),
        ],
      }),
    );
    writeImageReceipt(
      root,
      'dist/stacks/acme/publish/run',
      imageReceiptOf({
        image: 'run',
        references: [RUN],
        platforms: [platformImageOf('linux/amd64', 'sha256:old-r-amd64', ['libc6=2.36-9+deb12u10', 'zip=3.0-13'])],
      }),
    );
    write('dist/stacks/acme/publish/receipt.json', JSON.stringify({ receiptVersion: 2, published: [], commit: 'c0ffee', version: '0.1.0', files: [] }));
  }

  it('compares each image and platform with the last publish, and a removal fails the target unless allowed', async () => {
    publishBaseline();
    const io = fakeIo(root, engine);
    await expect(diffStack(options(), io)).rejects.toThrow(
      '1 package(s) removed since the baseline, which would break apps that use them:\n  - run (linux/amd64): zip 3.0-13\nPass --allowRemovals to release anyway.',
    );
    expect(io.lines).toEqual([
      'package changes against the last publish (dist/stacks/acme/publish):',
      'build (linux/amd64): no changes (2 packages)',
      'build (linux/arm64): 1 upgraded, 1 unchanged',
      '  ^ libc6 2.36-9+deb12u7 -> 2.36-9+deb12u10',
      'run (linux/amd64): 1 added, 1 removed, 1 unchanged',
      '  + unzip 6.0-28',
      '  - zip 3.0-13',
      'run (linux/arm64) (new image): 2 added, 0 unchanged',
      '  + libc6 2.36-9+deb12u10',
      '  + unzip 6.0-28',
      'written to dist/stacks/acme/diff/diff.md',
    ]);
    const json = JSON.parse(readFileSync(join(root, 'dist/stacks/acme/diff/diff.json'), 'utf8'));
    expect(json.commit).toBe('c0ffee');
    expect(json.images.map((d: { image: string; platform: string; inBaseline: boolean }) => [d.image, d.platform, d.inBaseline])).toEqual([
      ['build', 'linux/amd64', true],
      ['build', 'linux/arm64', true],
      ['run', 'linux/amd64', true],
      ['run', 'linux/arm64', false],
    ]);
    expect(readFileSync(join(root, 'dist/stacks/acme/diff/diff.md'), 'utf8')).toContain('### run (linux/amd64)\n\n1 added, 1 removed, 1 unchanged.');

    const allowed = fakeIo(root, engine);
    await diffStack(options({ allowRemovals: true }), allowed);
    expect(allowed.lines).toContain('warning: 1 package(s) removed, allowed by --allowRemovals');
  });

  it('reads the registry baseline per platform from the index, pulling each platform by digest so no local tag moves', async () => {
    // What an earlier publish left in the registry: the run image for both platforms behind an index, the build image alone.
    const sources = [];
    for (const [platform, packages] of [
      ['linux/amd64', ['libc6=2.36-9+deb12u10', 'zip=3.0-13']],
      ['linux/arm64', ['libc6=2.36-9+deb12u7', 'zip=3.0-13']],
    ] as const) {
      const reference = `${RUN}-${platform.replace('/', '-')}`;
      const id = engine.add(imageWith(platform.split('/')[1], [...packages]), reference);
      await engine.push(reference, undefined, () => undefined);
      engine.remove(id);
      sources.push({ platform, reference });
    }
    await putIndex(engine.registry, RUN, sources);
    const oldBuild = engine.add(imageWith('amd64', ['libc6=2.36-9+deb12u10', 'zip=3.0-13']), BUILD);
    await engine.push(BUILD, undefined, () => undefined);
    engine.remove(oldBuild);
    // The current build's images hold the plain tags.
    const current = engine.add(imageWith('amd64', []), RUN);
    engine.add(imageWith('amd64', []), BUILD);

    const io = fakeIo(root, engine);
    await diffStack(options({ baseline: 'registry', allowRemovals: true }), io);
    // Every platform of the index, and the lone image, pulled by digest.
    const pulled = io.lines.filter((l) => l.endsWith(': Pulled'));
    expect(pulled).toHaveLength(3);
    for (const line of pulled) expect(line).toMatch(/^127\.0\.0\.1:5000\/acme\/acme-(build|run)@sha256:[0-9a-f]{64}: Pulled$/);
    expect(io.lines.filter((l) => !pulled.includes(l))[0]).toBe('package changes against the images in the registry:');
    expect(io.lines).toEqual(
      expect.arrayContaining([
        'build (linux/amd64): no changes (2 packages)',
        'build (linux/arm64) (new image): 2 added, 0 unchanged',
        'run (linux/amd64): 1 added, 1 removed, 1 unchanged',
        'run (linux/arm64): 1 added, 1 removed, 1 upgraded, 0 unchanged',
        '  ^ libc6 2.36-9+deb12u7 -> 2.36-9+deb12u10',
      ]),
    );
    expect(engine.resolve(RUN)).toBe(current);
  });

  it('says when the registry lacks an image', async () => {
    await expect(diffStack(options({ baseline: 'registry' }), fakeIo(root, engine))).rejects.toThrow(
      `baseline registry: ${BUILD} is not in the registry (publish the stack first, or choose --baseline=published, ref:<git ref> or dir:<folder>)`,
    );
  });

  it('refuses, in one line, a baseline an older nx-cnb published (one platform per receipt)', async () => {
    publishBaseline();
    write(
      'dist/stacks/acme/publish/run/receipt.json',
      JSON.stringify({ receiptVersion: 1, image: 'run', references: [RUN], imageId: 'sha256:old', packages: [] }),
    );
    await expect(diffStack(options(), fakeIo(root, engine))).rejects.toThrow(
      'dist/stacks/acme/publish/run/receipt.json: receiptVersion: expected 2 (written by this nx-cnb; a baseline recorded by an older nx-cnb cannot be read; compare with --baseline=registry, or publish again with this nx-cnb), found number 1',
    );
  });

  it('refuses, in one line, a current receipt of an older nx-cnb', async () => {
    write('dist/stacks/acme/run/receipt.json', JSON.stringify({ receiptVersion: 1, image: 'run', references: [RUN], imageId: 'sha256:old', packages: [] }));
    await expect(diffStack(options(), fakeIo(root, engine))).rejects.toThrow(
      'dist/stacks/acme/run/receipt.json: receiptVersion: expected 2 (written by this nx-cnb; rebuild the image with --skip-nx-cache), found number 1',
    );
  });

  it('says there is nothing to compare with before the first publish, and names a baseline it does not know', async () => {
    await expect(diffStack(options(), fakeIo(root, engine))).rejects.toThrow(
      'baseline the last publish (dist/stacks/acme/publish): no published image receipts in dist/stacks/acme/publish',
    );
    await expect(diffStack(options({ baseline: 'yesterday' }), fakeIo(root, engine))).rejects.toThrow(
      'nx-cnb:diff: --baseline: expected "published", "registry", "ref:<git ref>" or "dir:<folder of published receipts>", found "yesterday"',
    );
  });
  it('trusts receipts made from the stack files as they are, and runs the image tasks of the others first', async () => {
    publishBaseline();
    const runs: string[][] = [];
    const io = fakeIo(root, engine);
    io.nx = async (args) => {
      runs.push(args);
      await build(['libc6=2.36-9+deb12u10', 'unzip=6.0-28', 'zip=3.0-13']);
    };
    await diffStack(options({ allowRemovals: true }), io);
    expect(runs).toEqual([]);

    // A changed file, not yet committed: nx-cnb cannot vouch for the receipts, so the image tasks run (a build or a cache hit).
    write('stacks/acme/stack.toml', 'id = "acme"\n# zip is back\n');
    await diffStack(options(), io);
    expect(runs).toEqual([['run-many', '-t', 'image-build', 'image-run', '-p', 'acme']]);
    expect(io.lines).toContain("running image-build, image-run first: no receipt, or not one of the stack's files as they are now");
    expect(io.lines).toContain('run (linux/amd64): 1 added, 2 unchanged');
  });

  it('says which receipt is still missing after running its image task', async () => {
    rmSync(join(root, 'dist/stacks/acme/run'), { recursive: true });
    const io = fakeIo(root, engine);
    io.nx = async () => undefined;
    await expect(diffStack(options(), io)).rejects.toThrow('dist/stacks/acme/run: no receipt.json after running nx run acme:image-run');
  });
});
