import type Docker from 'dockerode';
import { join } from 'node:path';
import type { ImageReceipt } from '../receipt/receipt';
import { inspectImage, loadImage } from './archive';
import { splitTag } from './build';

export type EnsureOutcome = 'present' | 'retagged' | 'loaded';

/**
 * Makes sure the engine holds the image a receipt names, under every one of
 * its references. An Nx cache hit restores files, not engine state: when the
 * engine lacks the image, the archive the cache restored beside the receipt
 * is loaded.
 */
export async function ensureImage(docker: Docker, receipt: ImageReceipt, outputDir: string): Promise<EnsureOutcome> {
  let outcome: EnsureOutcome = 'present';
  if (!(await inspectImage(docker, receipt.imageId))) {
    if (!receipt.archive) {
      throw new Error(
        `${receipt.references[0]} (${receipt.imageId}) is not in the engine and its receipt in ${outputDir} carries no saved image; rebuild it with --skip-nx-cache`,
      );
    }
    await loadImage(docker, join(outputDir, receipt.archive));
    if (!(await inspectImage(docker, receipt.imageId))) {
      throw new Error(`loading ${join(outputDir, receipt.archive)} did not restore ${receipt.imageId}; rebuild it with --skip-nx-cache`);
    }
    outcome = 'loaded';
  }
  for (const ref of receipt.references) {
    const current = await inspectImage(docker, ref);
    if (current?.Id === receipt.imageId) continue;
    const [repo, tag] = splitTag(ref);
    await docker.getImage(receipt.imageId).tag({ repo, tag });
    if (outcome === 'present') outcome = 'retagged';
  }
  return outcome;
}
