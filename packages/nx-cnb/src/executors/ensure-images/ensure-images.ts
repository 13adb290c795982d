import { logger } from '@nx/devkit';
import { executor } from '../executor';
import { join } from 'node:path';
import { connectEngine } from '../../engine/engine';
import { ensureImage } from '../../engine/ensure-image';
import { readReceipt } from '../../receipt/receipt';
import type { EnsureImagesExecutorOptions } from './schema';

export default executor(ensureImages);

export async function ensureImages(options: EnsureImagesExecutorOptions, workspaceRoot: string): Promise<void> {
  const docker = await connectEngine();
  for (const outputPath of options.outputPaths) {
    const dir = join(workspaceRoot, outputPath);
    const receipt = await readReceipt(dir);
    if (!receipt) throw new Error(`${outputPath}: no receipt.json; its build-image task has not run`);
    const outcome = await ensureImage(docker, receipt, dir);
    logger.info(`${receipt.references[0]}: ${outcome === 'present' ? 'in the engine' : outcome === 'loaded' ? 'loaded from the saved image' : 'tag restored'}`);
  }
}
