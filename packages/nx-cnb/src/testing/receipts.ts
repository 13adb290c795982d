import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ImageReceipt } from '../receipt/receipt';
import type { FakeEngine, FakeImage } from './fake-engine';

/** A stack image as a finished build-image task leaves it: in the engine, with its receipt and saved image. */
export async function builtStackImage(
  engine: FakeEngine,
  workspaceRoot: string,
  outputPath: string,
  references: string[],
  image: Partial<FakeImage> & { labels: Record<string, string> },
  kind: 'build' | 'run' = 'run',
): Promise<ImageReceipt> {
  const full: FakeImage = { os: 'linux', architecture: 'amd64', env: [], files: {}, layers: 3, size: 1e7, user: '1002:1000', ...image };
  const imageId = engine.add(full, ...references);
  const dir = join(workspaceRoot, outputPath);
  mkdirSync(dir, { recursive: true });
  await engine.save(imageId, join(dir, 'image.tar'));
  const receipt: ImageReceipt = {
    receiptVersion: 1,
    stack: 'stacks/acme',
    image: kind,
    kind,
    variant: 'base',
    stackId: full.labels['io.buildpacks.stack.id'] ?? '',
    references,
    imageId,
    digest: null,
    platform: `${full.os}/${full.architecture}`,
    labels: full.labels,
    size: full.size,
    layers: full.layers,
    packages: [],
    archive: 'image.tar',
  };
  writeFileSync(join(dir, 'receipt.json'), JSON.stringify(receipt));
  return receipt;
}
