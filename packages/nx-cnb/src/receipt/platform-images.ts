import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../errors';
import { imageSbom, sbomFileName } from '../release/sbom';
import type { ImagePackages } from '../release/package-diff';
import type { ReleasedImage } from '../release/release-notes';
import { pluginVersion } from '../workspace/image-sources';
import { type ImageReceipt, parseReceipt, type PlatformImage, RECEIPT_FILE, writeFileAtomic } from './receipt';

/**
 * The images a receipt records, one per platform: what the release tools
 * read. The one place that knows how a receipt lays out its platforms
 * (version 2: `platforms`; older receipts are refused when read).
 */
export function platformImages(receipt: ImageReceipt): PlatformImage[] {
  return receipt.platforms;
}

/** The packages of each image and platform of some receipts, for diffs. */
export function receiptPackages(receipts: ImageReceipt[]): ImagePackages[] {
  return receipts.flatMap((r) => platformImages(r).map((p) => ({ image: r.image, platform: p.platform, packages: p.packages })));
}

/** Each platform's image of a receipt as a release names it: image key, platform, image ID. */
export function releasedImages(receipt: ImageReceipt): ReleasedImage[] {
  return platformImages(receipt).map((p) => ({ image: receipt.image, platform: p.platform, imageId: p.imageId }));
}

/**
 * A stack image receipt read and checked: a receipt of another format (an
 * older or newer nx-cnb wrote it, or it is a builder's) is one clear error,
 * not a crash later. Undefined when there is no receipt. `remedy` says how to
 * get a receipt of this version.
 */
export async function readImageReceipt(dir: string, shownAs = dir, remedy?: string): Promise<ImageReceipt | undefined> {
  const text = await fs.readFile(join(dir, RECEIPT_FILE), 'utf8').catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return undefined;
    throw e;
  });
  if (text === undefined) return undefined;
  const file = join(shownAs, RECEIPT_FILE);
  const value = parseReceipt<Partial<ImageReceipt>>(file, text, remedy);
  if (typeof value.image !== 'string' || !Array.isArray(value.references) || !Array.isArray(value.platforms)) {
    throw new ConfigError(file, '(file)', 'a stack image receipt (image, references, platforms)', 'another kind of receipt');
  }
  const broken = value.platforms.findIndex((p) => typeof p?.platform !== 'string' || typeof p.imageId !== 'string' || !Array.isArray(p.packages));
  if (broken >= 0) throw new ConfigError(file, `platforms[${broken}]`, 'an image with platform, imageId and packages', JSON.stringify(value.platforms[broken]));
  return value as ImageReceipt;
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
