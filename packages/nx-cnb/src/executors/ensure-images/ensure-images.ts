import { join } from 'node:path';
import { ENSURE_OUTCOME_WORDS, ensureImage } from '../../engine/ensure-image';
import { ExpectedError, step } from '../../errors';
import { readReceipt } from '../../receipt/receipt';
import { executor, type Io } from '../executor';
import type { EnsureImagesExecutorOptions } from './schema';

export default executor(ensureImages);

/** Makes sure the engine holds every image the receipts name, loading any that a cache hit left out. */
export async function ensureImages(options: EnsureImagesExecutorOptions, io: Io): Promise<void> {
  const engine = await io.engine();
  for (const outputPath of options.outputPaths) {
    const dir = join(io.workspaceRoot, outputPath);
    const receipt = await readReceipt(dir);
    if (!receipt) throw new ExpectedError(`${outputPath}: no receipt.json; its build-image task has not run`);
    const outcome = await step(`making sure the engine holds ${receipt.references[0]}`, () => ensureImage(engine, receipt, dir));
    io.logger.info(`${receipt.references[0]}: ${ENSURE_OUTCOME_WORDS[outcome]}`);
  }
}
