import { join } from 'node:path';
import { checkRemovals, compareWithBaseline } from '../../receipt/compare';
import { prepareOutputs, writeFileAtomic } from '../../receipt/receipt';
import { renderDiffMarkdown, renderDiffText } from '../../release/package-diff';
import { executor, type Io } from '../executor';
import type { DiffExecutorOptions } from './schema';

export default executor(diffStack);

export const DIFF_MARKDOWN = 'diff.md';
export const DIFF_JSON = 'diff.json';

/**
 * Compares each image's packages with the baseline, prints the changes,
 * writes them as Markdown and JSON, and fails on a removed package unless
 * allowed. Reads receipts only; the engine only for a registry baseline.
 */
export async function diffStack(options: DiffExecutorOptions, io: Io) {
  const outputDir = join(io.workspaceRoot, options.outputPath);
  await prepareOutputs(outputDir);
  const { baseline, diffs } = await compareWithBaseline('nx-cnb:diff', options, io);
  for (const line of renderDiffText(diffs, baseline.label).trimEnd().split('\n')) io.logger.info(line);
  await writeFileAtomic(
    join(outputDir, DIFF_JSON),
    JSON.stringify({ baseline: baseline.label, commit: baseline.commit ?? null, images: diffs }, null, 2) + '\n',
  );
  await writeFileAtomic(join(outputDir, DIFF_MARKDOWN), renderDiffMarkdown(diffs, baseline.label));
  io.logger.info(`written to ${join(options.outputPath, DIFF_MARKDOWN)}`);
  checkRemovals(diffs, options.allowRemovals, (line) => io.logger.warn(line));
  return diffs;
}
