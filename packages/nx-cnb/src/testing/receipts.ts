import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parsePlatform, platformReference } from '../oci/platform';
import type { ImageReceipt } from '../receipt/receipt';
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
  const receipt: ImageReceipt = {
    receiptVersion: 2,
    stack: 'stacks/acme',
    image: kind,
    kind,
    variant: 'base',
    stackId: image.labels['io.buildpacks.stack.id'] ?? '',
    references,
    builder: 'buildkit',
    released: '2026-01-02T03:04:05.000Z',
    platforms: built,
    archive: 'image.tar',
  };
  writeFileSync(join(dir, 'receipt.json'), JSON.stringify(receipt));
  return receipt;
}
