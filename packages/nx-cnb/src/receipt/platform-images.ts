import { promises as fs, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, ExpectedError } from '../errors';
import { imageSbom, sbomFileName } from '../release/sbom';
import type { ImagePackages } from '../release/package-diff';
import type { Package } from '../stack/image-contents';
import { type ImageReceipt, RECEIPT_FILE, writeFileAtomic } from './receipt';

/** One platform's image of a stack image receipt: what the release tools read. */
export interface PlatformImage {
  platform: string;
  imageId: string;
  digest: string | null;
  size: number;
  layers: number;
  labels: Record<string, string>;
  packages: Package[];
}

/** The receipt versions this nx-cnb reads. */
export const IMAGE_RECEIPT_VERSIONS = [1];

/**
 * The images a receipt records, one per platform. The one place that knows
 * how a receipt lays out its platforms: a version-1 receipt holds one
 * platform at its top level.
 */
export function platformImages(receipt: ImageReceipt): PlatformImage[] {
  const { platform, imageId, digest, size, layers, labels, packages } = receipt;
  return [{ platform, imageId, digest, size, layers, labels, packages }];
}

/** The packages of each image and platform of some receipts, for diffs. */
export function receiptPackages(receipts: ImageReceipt[]): ImagePackages[] {
  return receipts.flatMap((r) => platformImages(r).map((p) => ({ image: r.image, platform: p.platform, packages: p.packages })));
}

/**
 * A stack image receipt read and checked: a receipt of another format (an
 * older or newer nx-cnb wrote it) is one clear error, not a crash later.
 * Undefined when there is no receipt.
 */
export async function readImageReceipt(dir: string, shownAs = dir): Promise<ImageReceipt | undefined> {
  const file = join(dir, RECEIPT_FILE);
  const text = await fs.readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return undefined;
    throw e;
  });
  if (text === undefined) return undefined;
  return checkImageReceipt(join(shownAs, RECEIPT_FILE), text);
}

export function checkImageReceipt(file: string, text: string): ImageReceipt {
  let value: Partial<ImageReceipt>;
  try {
    value = JSON.parse(text) as Partial<ImageReceipt>;
  } catch (e) {
    throw new ConfigError(file, '(file)', 'a receipt in JSON', `unreadable JSON (${(e as Error).message})`);
  }
  if (!IMAGE_RECEIPT_VERSIONS.includes(value?.receiptVersion as number)) {
    throw new ConfigError(
      file,
      'receiptVersion',
      `a stack image receipt of version ${IMAGE_RECEIPT_VERSIONS.join(' or ')} (rebuild the image with this nx-cnb: --skip-nx-cache)`,
      JSON.stringify(value?.receiptVersion) ?? 'nothing',
    );
  }
  if (typeof value.image !== 'string' || !Array.isArray(value.packages) || !Array.isArray(value.references)) {
    throw new ConfigError(file, '(file)', 'a stack image receipt (image, references, packages)', 'another kind of receipt');
  }
  return value as ImageReceipt;
}

/** nx-cnb's own version, for the SBOM's tool entry. */
function pluginVersion(): string {
  try {
    return (JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** Writes the CycloneDX SBOM of each platform of a receipt beside it; returns the file names. */
export async function writeSboms(outputDir: string, receipt: ImageReceipt): Promise<string[]> {
  const files: string[] = [];
  for (const p of platformImages(receipt)) {
    const distroName = p.labels['io.buildpacks.base.distro.name'];
    const distro = distroName ? { name: distroName, version: p.labels['io.buildpacks.base.distro.version'] ?? '' } : undefined;
    const sbom = imageSbom(
      { reference: receipt.references[0], imageId: p.imageId, platform: p.platform, stackId: receipt.stackId, distro },
      p.packages,
      pluginVersion(),
    );
    const name = sbomFileName(p.platform);
    await writeFileAtomic(join(outputDir, name), sbom);
    files.push(name);
  }
  return files;
}

/** The receipts of a stack's current build, one per image; a missing one says how to build it. */
export async function readCurrentReceipts(workspaceRoot: string, project: string, images: { key: string; outputPath: string }[]): Promise<ImageReceipt[]> {
  const receipts: ImageReceipt[] = [];
  for (const { key, outputPath } of images) {
    const receipt = await readImageReceipt(join(workspaceRoot, outputPath), outputPath);
    if (!receipt) throw new ExpectedError(`${outputPath}: no receipt.json; build the image first (nx run ${project}:image-${key})`);
    receipts.push(receipt);
  }
  return receipts;
}
