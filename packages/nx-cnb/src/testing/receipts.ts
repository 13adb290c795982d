import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parsePlatform, platformReference } from '../oci/platform';
import type { ReleaseImage } from '../receipt/compare';
import type { ImageReceipt, PlatformImage } from '../receipt/receipt';
import { imageSources } from '../workspace/image-sources';
import type { FakeEngine, FakeImage } from './fake-engine';

/**
 * A stack image as a finished build-image task leaves it: each platform's
 * image in the engine under its tags, the plain tags on the first platform's,
 * the receipt, and the saved images or, with a cache repository, the images
 * pushed there by digest.
 */
export async function builtStackImage(
  engine: FakeEngine,
  workspaceRoot: string,
  outputPath: string,
  references: string[],
  image: Partial<FakeImage> & { labels: Record<string, string> },
  kind: 'build' | 'run' = 'run',
  platforms: string[] = ['linux/amd64'],
  cacheRepository?: string,
): Promise<ImageReceipt> {
  const built: PlatformImage[] = [];
  for (const platform of platforms) {
    const full: FakeImage = {
      os: 'linux',
      env: [],
      files: {},
      layers: 3,
      size: 1e7,
      user: '1002:1000',
      ...image,
      architecture: parsePlatform(platform).architecture,
    };
    const imageId = engine.add(full, ...references.map((reference) => platformReference(reference, platform)));
    const repository = cacheRepository && `${cacheRepository}/${references[0].split('/').pop()!.split(':')[0]}`;
    const cached = repository ? `${repository}@${await engine.registry.pushed(`${repository}:sha256-${imageId.slice(7)}`, imageId)}` : undefined;
    if (cached) engine.cache(cached, imageId);
    built.push({ platform, imageId, digest: null, ...(cached ? { cached } : {}), labels: full.labels, size: full.size, layers: full.layers, packages: [] });
  }
  for (const reference of references) await engine.tag(built[0].imageId, reference);
  const dir = join(workspaceRoot, outputPath);
  mkdirSync(dir, { recursive: true });
  if (!cacheRepository) {
    const tags = built.flatMap((p) => references.map((reference) => platformReference(reference, p.platform)));
    await engine.save(tags, join(dir, 'image.tar'));
  }
  const receipt = imageReceiptOf({
    image: kind,
    references,
    platforms: built,
    archive: cacheRepository ? null : 'image.tar',
    stackId: image.labels['io.buildpacks.stack.id'] ?? '',
  });
  writeFileSync(join(dir, 'receipt.json'), JSON.stringify(receipt));
  return receipt;
}

/** A stack image receipt of version 2 with everything a test does not name filled in. */
export function imageReceiptOf(receipt: Partial<ImageReceipt> & Pick<ImageReceipt, 'image' | 'references' | 'platforms'>): ImageReceipt {
  return {
    receiptVersion: 2,
    stack: 'stacks/acme',
    kind: receipt.image === 'build' ? 'build' : 'run',
    variant: 'base',
    stackId: '',
    builder: 'buildkit',
    released: '2026-01-02T03:04:05.000Z',
    archive: null,
    ...receipt,
  };
}

/** One platform's image of a receipt, with its packages ("name=version", architecture from the platform). */
export function platformImageOf(platform: string, imageId: string, packages: string[]): PlatformImage {
  const architecture = parsePlatform(platform).architecture;
  return {
    platform,
    imageId,
    digest: null,
    labels: {},
    size: 1e7,
    layers: 3,
    packages: packages.map((p) => ({ name: p.split('=')[0], version: p.split('=')[1], architecture })),
  };
}

/** Writes a receipt where an image task would. */
export function writeImageReceipt(workspaceRoot: string, outputPath: string, receipt: ImageReceipt): void {
  mkdirSync(join(workspaceRoot, outputPath), { recursive: true });
  writeFileSync(join(workspaceRoot, outputPath, 'receipt.json'), JSON.stringify(receipt));
}

/** An image as the release targets' options name it, built from the whole stack folder. */
export function releaseImageOf(key: string, stackRoot = 'stacks/acme'): ReleaseImage {
  const outputPath = `dist/${stackRoot}/${key}`;
  return { key, outputPath, sources: { paths: [stackRoot], build: { stack: stackRoot, image: key, outputPath, tags: ['latest'], archive: true } } };
}

/** The sources fingerprint a build of the image would record now. */
export function sourcesNow(workspaceRoot: string, image: ReleaseImage): Promise<string | undefined> {
  return imageSources(workspaceRoot, image.sources.paths, image.sources.build);
}

/** A git repository in a test folder, with its files committed. */
export function commitAll(workspaceRoot: string, message = 'files'): void {
  const env = { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@e', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@e' };
  const git = (...args: string[]) => execFileSync('git', args, { cwd: workspaceRoot, env, stdio: 'pipe' });
  if (!existsSync(join(workspaceRoot, '.git'))) git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('commit', '-qm', message);
}
