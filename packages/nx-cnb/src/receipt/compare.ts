import type { Engine } from '../engine/engine';
import type { Registry } from '../registry/registry-client';
import { ExpectedError } from '../errors';
import { diffImages, type ImageDiff, removals } from '../release/package-diff';
import { type Baseline, parseBaseline, readBaseline } from './baseline';
import { join } from 'node:path';
import { type BuildIdentity, imageSources } from '../workspace/image-sources';
import { readImageReceipt, receiptPackages } from './platform-images';
import type { ImageReceipt } from './receipt';

/** The options the release targets of a stack share (diff, release-notes). */
export interface StackReleaseOptions {
  /** The stack's project name and root. */
  project: string;
  stack: string;
  /** Each image's key, the folder of its receipt (workspace-relative) and what it is built from. */
  images: ReleaseImage[];
  /** Where publish records releases, workspace-relative. */
  publishPath: string;
  /** "published" (default), "registry", "ref:<git ref>" or "dir:<folder>". */
  baseline?: string;
  /** Release even though packages were removed. */
  allowRemovals?: boolean;
  /** Folder for this target's files, workspace-relative. */
  outputPath: string;
}

/** One image of a stack as the release targets see it. */
export interface ReleaseImage {
  key: string;
  outputPath: string;
  /** Its sources: the paths its files are under and its build options, to tell whether its receipt still holds. */
  sources: { paths: string[]; build: BuildIdentity };
}

export interface Comparison {
  current: ImageReceipt[];
  baseline: Baseline;
  diffs: ImageDiff[];
}

/** What comparing reaches outside itself: the workspace, nx, and the engine and registry for a registry baseline. */
export interface CompareIo {
  workspaceRoot: string;
  engine(): Promise<Engine>;
  registry: Registry;
  logger: { info(message: string): void };
  nx(args: string[]): Promise<void>;
}

/** The current build's receipts against the chosen baseline, package by package, per image and platform. */
export async function compareWithBaseline(command: string, options: StackReleaseOptions, io: CompareIo): Promise<Comparison> {
  const spec = parseBaseline(command, options.baseline);
  const current = await currentReceipts(options, io);
  const baseline = await readBaseline(spec, {
    workspaceRoot: io.workspaceRoot,
    project: options.project,
    images: options.images,
    publishPath: options.publishPath,
    current,
    engine: io.engine,
    registry: io.registry,
    log: (line) => io.logger.info(line),
  });
  return { current, baseline, diffs: diffImages(baseline.images, receiptPackages(current)) };
}

/**
 * The receipts of the stack's current build, one per image. A receipt that
 * recorded the same sources as the image has now holds as it stands; for the
 * others (a file changed or is uncommitted, or no receipt) the image tasks
 * run first, as they would as Nx dependencies: a build, or a cache hit that
 * restores the receipt. Running them for every image instead would have Nx
 * copy each saved image back out of its cache on every diff when no daemon
 * tracks the outputs (1.5 GB for the dogfood stack's two platforms).
 */
export async function currentReceipts(options: StackReleaseOptions, io: CompareIo): Promise<ImageReceipt[]> {
  const read = (image: ReleaseImage) => readImageReceipt(join(io.workspaceRoot, image.outputPath), image.outputPath);
  const stale: ReleaseImage[] = [];
  for (const image of options.images) {
    const receipt = await read(image);
    const now = await imageSources(io.workspaceRoot, image.sources.paths, image.sources.build);
    if (!receipt?.sources || receipt.sources !== now) stale.push(image);
  }
  if (stale.length) {
    io.logger.info(`running ${stale.map((i) => `image-${i.key}`).join(', ')} first: no receipt, or not one of the stack's files as they are now`);
    await io.nx(['run-many', '-t', ...stale.map((i) => `image-${i.key}`), '-p', options.project]);
  }
  const receipts: ImageReceipt[] = [];
  for (const image of options.images) {
    const receipt = await read(image);
    if (!receipt) throw new ExpectedError(`${image.outputPath}: no receipt.json after running nx run ${options.project}:image-${image.key}`);
    receipts.push(receipt);
  }
  return receipts;
}

/** A removed package fails the release unless the maintainer says it is meant (--allowRemovals). */
export function checkRemovals(diffs: ImageDiff[], allowRemovals: boolean | undefined, log: (line: string) => void): void {
  const removed = removals(diffs);
  if (!removed.length) return;
  if (allowRemovals) {
    log(`${removed.length} package(s) removed, allowed by --allowRemovals`);
    return;
  }
  throw new ExpectedError(
    `${removed.length} package(s) removed since the baseline, which would break apps that use them:\n  - ${removed.join('\n  - ')}\nPass --allowRemovals to release anyway.`,
  );
}
