import { join } from 'node:path';
import { ExpectedError } from '../errors';
import { platformReference } from '../oci/platform';
import { type ImageReceipt, localPlatform } from '../receipt/receipt';
import type { Engine } from './engine';

export type EnsureOutcome = 'present' | 'retagged' | 'loaded';

/** What each outcome means to a user reading the task log. */
export const ENSURE_OUTCOME_WORDS: Record<EnsureOutcome, string> = {
  present: 'in the engine',
  loaded: 'loaded from the saved image',
  retagged: 'tag restored',
};

/**
 * Makes sure the engine holds every platform's image a receipt names, under
 * its references: each platform's under "<reference>-<os>-<arch>", and the
 * engine's own platform's under the plain references. An Nx cache hit
 * restores files, not engine state: when the engine lacks an image, the
 * archive the cache restored beside the receipt is loaded.
 */
export async function ensureImage(engine: Engine, receipt: ImageReceipt, outputDir: string): Promise<EnsureOutcome> {
  let outcome: EnsureOutcome = 'present';
  const lacks = async () => (await Promise.all(receipt.platforms.map(async (p) => ((await engine.inspect(p.imageId)) ? [] : [p])))).flat();
  if ((await lacks()).length) {
    if (!receipt.archive) {
      const ids = (await lacks()).map((p) => `${p.platform} ${p.imageId}`).join(', ');
      throw new ExpectedError(
        `${receipt.references[0]} (${ids}) is not in the engine and its receipt in ${outputDir} carries no saved image; rebuild it with --skip-nx-cache`,
      );
    }
    await engine.load(join(outputDir, receipt.archive));
    const still = await lacks();
    if (still.length) {
      throw new ExpectedError(
        `loading ${join(outputDir, receipt.archive)} did not restore ${still.map((p) => p.imageId).join(', ')}; rebuild it with --skip-nx-cache`,
      );
    }
    outcome = 'loaded';
  }
  const local = localPlatform(receipt, await engine.platform());
  const wanted = [
    ...receipt.platforms.flatMap((p) => receipt.references.map((reference) => ({ reference: platformReference(reference, p.platform), imageId: p.imageId }))),
    ...receipt.references.map((reference) => ({ reference, imageId: local.imageId })),
  ];
  for (const { reference, imageId } of wanted) {
    if ((await engine.inspect(reference))?.Id === imageId) continue;
    await engine.tag(imageId, reference);
    if (outcome === 'present') outcome = 'retagged';
  }
  return outcome;
}
