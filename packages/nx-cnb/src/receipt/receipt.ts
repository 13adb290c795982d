import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import type { Package } from '../stack/image-contents';
import type { StackImage } from '../stack/stack';

/** What a build-image task leaves behind: enough to find, check and restore its image. */
export interface ImageReceipt {
  receiptVersion: 1;
  /** Stack project root and image key, e.g. "stacks/debian-bookworm" and "run-tiny". */
  stack: string;
  image: string;
  kind: 'build' | 'run';
  variant: string;
  stackId: string;
  /** Every tag the image was given; the first is the one consumers use. */
  references: string[];
  imageId: string;
  /** Registry digest, once pushed; null for an image only in the engine. */
  digest: string | null;
  platform: string;
  labels: Record<string, string>;
  size: number;
  layers: number;
  packages: Package[];
  /** File name of the saved image beside the receipt, when outputs carry the image. */
  archive: string | null;
}

/** What a create-builder task leaves behind. */
export interface BuilderReceipt {
  receiptVersion: 1;
  config: string;
  builder: string;
  imageId: string;
  packVersion: string;
  buildImage: string;
  runImages: string[];
  buildpacks: string[];
  flatten: string[];
  layers: number;
  estimatedLayers: number;
  size: number;
  labels: Record<string, string>;
}

/** The receipt of a finished image, from what the build knew and what the engine reports of the image. */
export function imageReceipt(built: {
  stack: string;
  image: StackImage;
  references: string[];
  platform: string;
  inspected: { Id: string; Size: number; Config?: { Labels?: Record<string, string> | null }; RootFS?: { Layers?: string[] } };
  packages: Package[];
  archive: string | null;
}): ImageReceipt {
  const { image, inspected } = built;
  return {
    receiptVersion: 1,
    stack: built.stack,
    image: image.key,
    kind: image.kind,
    variant: image.variant,
    stackId: image.stackId,
    references: built.references,
    imageId: inspected.Id,
    digest: null,
    platform: built.platform,
    labels: inspected.Config?.Labels ?? {},
    size: inspected.Size,
    layers: inspected.RootFS?.Layers?.length ?? 0,
    packages: built.packages,
    archive: built.archive,
  };
}

export const RECEIPT_FILE = 'receipt.json';
export const ARCHIVE_FILE = 'image.tar';

/** Writes a file so that it appears complete or not at all. */
export async function writeFileAtomic(file: string, content: string): Promise<void> {
  const partial = `${file}.partial-${process.pid}`;
  try {
    await fs.writeFile(partial, content);
    await fs.rename(partial, file);
  } finally {
    await fs.rm(partial, { force: true });
  }
}

export async function writeReceipt(outputDir: string, receipt: ImageReceipt | BuilderReceipt): Promise<void> {
  await fs.mkdir(outputDir, { recursive: true });
  await writeFileAtomic(join(outputDir, RECEIPT_FILE), JSON.stringify(receipt, null, 2) + '\n');
}

export async function readReceipt<Receipt = ImageReceipt>(outputDir: string): Promise<Receipt | undefined> {
  const text = await fs.readFile(join(outputDir, RECEIPT_FILE), 'utf8').catch(() => undefined);
  return text === undefined ? undefined : (JSON.parse(text) as Receipt);
}

/** Removes what an earlier run left, so a failed run cannot be mistaken for a good one, and makes the folder. */
export async function prepareOutputs(outputDir: string): Promise<void> {
  await fs.mkdir(outputDir, { recursive: true });
  // What an interrupted run left half-written: never read, but not left to pile up either.
  for (const name of await fs.readdir(outputDir)) if (name.includes('.partial-')) await fs.rm(join(outputDir, name), { force: true });
  await fs.rm(join(outputDir, RECEIPT_FILE), { force: true });
  await fs.rm(join(outputDir, ARCHIVE_FILE), { force: true });
  // SBOMs (one per platform) and release files describe the receipt's images: stale without it.
  for (const name of await fs.readdir(outputDir)) if (RELEASE_FILES.test(name)) await fs.rm(join(outputDir, name), { force: true });
}

/** Files beside a receipt that describe its images: SBOMs, package diffs, release notes. */
export const RELEASE_FILES = /(\.cdx\.json|^diff\.(md|json)|^release-notes\.md|^release\.json)$/;
