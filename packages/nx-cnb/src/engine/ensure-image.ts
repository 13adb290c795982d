import { join } from 'node:path';
import { ExpectedError } from '../errors';
import type { ImageReceipt } from '../receipt/receipt';
import type { Engine } from './engine';

export type EnsureOutcome = 'present' | 'retagged' | 'loaded';

/** What each outcome means to a user reading the task log. */
export const ENSURE_OUTCOME_WORDS: Record<EnsureOutcome, string> = {
  present: 'in the engine',
  loaded: 'loaded from the saved image',
  retagged: 'tag restored',
};

/**
 * Makes sure the engine holds the image a receipt names, under every one of
 * its references. An Nx cache hit restores files, not engine state: when the
 * engine lacks the image, the archive the cache restored beside the receipt
 * is loaded.
 */
export async function ensureImage(engine: Engine, receipt: ImageReceipt, outputDir: string): Promise<EnsureOutcome> {
  let outcome: EnsureOutcome = 'present';
  if (!(await engine.inspect(receipt.imageId))) {
    if (!receipt.archive) {
      throw new ExpectedError(
        `${receipt.references[0]} (${receipt.imageId}) is not in the engine and its receipt in ${outputDir} carries no saved image; rebuild it with --skip-nx-cache`,
      );
    }
    await engine.load(join(outputDir, receipt.archive));
    if (!(await engine.inspect(receipt.imageId))) {
      throw new ExpectedError(`loading ${join(outputDir, receipt.archive)} did not restore ${receipt.imageId}; rebuild it with --skip-nx-cache`);
    }
    outcome = 'loaded';
  }
  for (const reference of receipt.references) {
    if ((await engine.inspect(reference))?.Id === receipt.imageId) continue;
    await engine.tag(receipt.imageId, reference);
    if (outcome === 'present') outcome = 'retagged';
  }
  return outcome;
}
