import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parsePlatform, platformReference } from '../oci/platform';
import type { ImageReceipt, PlatformImage } from '../receipt/receipt';
import type { FakeEngine, FakeImage } from './fake-engine';

/**
 * A stack image as a finished build-image task leaves it: each platform's
 * image in the engine under its tags, the plain tags on the first platform's,
 * the receipt and the saved images.
 */
export async function builtStackImage(
  engine: FakeEngine,
  workspaceRoot: string,
  outputPath: string,
  references: string[],
  image: Partial<FakeImage> & { labels: Record<string, string> },
  kind: 'build' | 'run' = 'run',
  platforms: string[] = ['linux/amd64'],
): Promise<ImageReceipt> {
  const built = platforms.map((platform) => {
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
    return { platform, imageId, digest: null, labels: full.labels, size: full.size, layers: full.layers, packages: [] };
  });
  for (const reference of references) await engine.tag(built[0].imageId, reference);
  const dir = join(workspaceRoot, outputPath);
  mkdirSync(dir, { recursive: true });
  await engine.save(
    built.flatMap((p) => references.map((reference) => platformReference(reference, p.platform))),
    join(dir, 'image.tar'),
  );
  const receipt = imageReceiptOf({ image: kind, references, platforms: built, archive: 'image.tar', stackId: image.labels['io.buildpacks.stack.id'] ?? '' });
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
