import { ExecutorContext, logger } from '@nx/devkit';
import { join } from 'node:path';
import { connectEngine } from '../../engine/engine';
import { ensureImage } from '../../engine/ensure-image';
import { readReceipt } from '../../receipt/receipt';
import type { EnsureImagesExecutorOptions } from './schema';

export default async function ensureImagesExecutor(options: EnsureImagesExecutorOptions, context: ExecutorContext): Promise<{ success: boolean }> {
  try {
    const docker = await connectEngine();
    for (const outputPath of options.outputPaths) {
      const dir = join(context.root, outputPath);
      const receipt = await readReceipt(dir);
      if (!receipt) throw new Error(`${outputPath}: no receipt.json; its build-image task has not run`);
      const outcome = await ensureImage(docker, receipt, dir);
      logger.info(`${receipt.references[0]}: ${outcome === 'present' ? 'in the engine' : outcome === 'loaded' ? 'loaded from the saved image' : 'tag restored'}`);
    }
    return { success: true };
  } catch (e) {
    logger.error((e as Error).message);
    return { success: false };
  }
}
