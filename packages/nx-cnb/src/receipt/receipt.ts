import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { parseJson } from '../config/parse';
import { ConfigError, describeValue } from '../errors';
import type { Builder, InspectedImage } from '../engine/engine';
import type { Package } from '../stack/image-contents';
import type { StackImage } from '../stack/stack';

/** What a build-image task leaves behind: enough to find, check and restore its image on every platform. */
export interface ImageReceipt {
  receiptVersion: 2;
  /** Stack project root and image key, e.g. "stacks/debian-bookworm" and "run-tiny". */
  stack: string;
  image: string;
  kind: 'build' | 'run';
  variant: string;
  stackId: string;
  /**
   * Every tag the image was given; the first is the one consumers use. In the
   * engine they name the image of the engine's own platform; each platform's
   * image is also tagged "<reference>-<os>-<arch>" (platformReference).
   */
  references: string[];
  /** The builder that made it: "buildkit", or "classic" on an engine without BuildKit. */
  builder: Builder;
  /** io.buildpacks.base.released: the stack's source date, the same on every image of a build. */
  released: string;
  platforms: PlatformImage[];
  /** File name of the saved images beside the receipt (every platform in one archive), when outputs carry them. */
  archive: string | null;
  /**
   * A fingerprint of what the image was built from (workspace/image-sources.ts), so release targets can tell
   * the receipt still holds without running the image task; null when nx-cnb could not vouch (uncommitted files).
   */
  sources?: string | null;
}

/** One platform's image of a stack image. */
export interface PlatformImage {
  /** "linux/amd64", "linux/arm64"... */
  platform: string;
  imageId: string;
  /** Registry digest, once pushed; null for an image only in the engine. */
  digest: string | null;
  /**
   * Where the image task left the image in the cache registry (the plugin
   * option cacheRepository), by digest: "<cacheRepository>/<name>@sha256:...".
   * A cache hit pulls it from there when the engine lacks it.
   */
  cached?: string;
  labels: Record<string, string>;
  size: number;
  layers: number;
  packages: Package[];
}

export const IMAGE_RECEIPT_VERSION = 2;

/** What a create-builder task leaves behind. */
export interface BuilderReceipt {
  receiptVersion: 2;
  config: string;
  builder: string;
  /** The builder in the engine; "" for one that pack created only in a registry. */
  imageId: string;
  /** The registry digest of a builder created in a registry (the index's, for several platforms); else null. */
  digest: string | null;
  /** Each platform the builder serves, with the reference pack created it under and, in a registry, its digest. */
  platforms: { platform: string; reference: string; digest: string | null }[];
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

/** One platform's image as the engine reports it, with the packages read from it. */
export function platformImage(platform: string, inspected: InspectedImage, packages: Package[]): PlatformImage {
  return {
    platform,
    imageId: inspected.Id,
    digest: null,
    labels: inspected.Config?.Labels ?? {},
    size: inspected.Size,
    layers: inspected.RootFS?.Layers?.length ?? 0,
    packages,
  };
}

/** The receipt of a finished stack image. */
export function imageReceipt(built: {
  stack: string;
  image: StackImage;
  references: string[];
  builder: Builder;
  released: Date;
  platforms: PlatformImage[];
  archive: string | null;
  sources?: string | null;
}): ImageReceipt {
  const { image } = built;
  return {
    receiptVersion: IMAGE_RECEIPT_VERSION,
    stack: built.stack,
    image: image.key,
    kind: image.kind,
    variant: image.variant,
    stackId: image.stackId,
    references: built.references,
    builder: built.builder,
    released: built.released.toISOString(),
    platforms: built.platforms,
    archive: built.archive,
    ...(built.sources !== undefined ? { sources: built.sources } : {}),
  };
}

/**
 * The platform whose image the plain references name in this engine: the
 * engine's own when the image has it, else the first. Decided where the image
 * is used, as a receipt restored from a cache may come from another machine.
 */
export function localPlatform(receipt: Pick<ImageReceipt, 'platforms'>, enginePlatform: string): PlatformImage {
  return receipt.platforms.find((p) => p.platform === enginePlatform) ?? receipt.platforms[0];
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
  const file = join(outputDir, RECEIPT_FILE);
  const text = await fs.readFile(file, 'utf8').catch(() => undefined);
  return text === undefined ? undefined : parseReceipt<Receipt>(file, text);
}

/**
 * A receipt's JSON. An image receipt of another version (nx-cnb before
 * multi-platform images wrote version 1) is one clear line, not a crash
 * later; `remedy` says how to get one of this version.
 */
export function parseReceipt<Receipt = ImageReceipt>(file: string, text: string, remedy = 'rebuild the image with --skip-nx-cache'): Receipt {
  const receipt = parseJson(file, text);
  if (receipt === null || typeof receipt !== 'object' || Array.isArray(receipt)) {
    throw new ConfigError(file, '(file)', 'a receipt (a JSON object)', describeValue(receipt));
  }
  const { receiptVersion } = receipt as { receiptVersion?: unknown };
  if ('references' in receipt && receiptVersion !== IMAGE_RECEIPT_VERSION) {
    throw new ConfigError(file, 'receiptVersion', `${IMAGE_RECEIPT_VERSION} (written by this nx-cnb; ${remedy})`, describeValue(receiptVersion));
  }
  return receipt as Receipt;
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
