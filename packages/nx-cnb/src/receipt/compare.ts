import type { Engine } from '../engine/engine';
import type { Registry } from '../registry/registry-client';
import { ExpectedError } from '../errors';
import { diffImages, type ImageDiff, removals } from '../release/package-diff';
import { type Baseline, parseBaseline, readBaseline } from './baseline';
import { readCurrentReceipts, receiptPackages } from './platform-images';
import type { ImageReceipt } from './receipt';

/** The options the release targets of a stack share (diff, release-notes). */
export interface StackReleaseOptions {
  /** The stack's project name and root. */
  project: string;
  stack: string;
  /** Each image's key and the folder of its receipt, workspace-relative. */
  images: { key: string; outputPath: string }[];
  /** Where publish records releases, workspace-relative. */
  publishPath: string;
  /** "published" (default), "registry", "ref:<git ref>" or "dir:<folder>". */
  baseline?: string;
  /** Release even though packages were removed. */
  allowRemovals?: boolean;
  /** Folder for this target's files, workspace-relative. */
  outputPath: string;
}

export interface Comparison {
  current: ImageReceipt[];
  baseline: Baseline;
  diffs: ImageDiff[];
}

/** What comparing reaches outside itself: the workspace, and the engine and registry for a registry baseline. */
export interface CompareIo {
  workspaceRoot: string;
  engine(): Promise<Engine>;
  registry: Registry;
  logger: { info(message: string): void };
}

/** The current build's receipts against the chosen baseline, package by package, per image and platform. */
export async function compareWithBaseline(command: string, options: StackReleaseOptions, io: CompareIo): Promise<Comparison> {
  const spec = parseBaseline(command, options.baseline);
  const current = await readCurrentReceipts(io.workspaceRoot, options.project, options.images);
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
