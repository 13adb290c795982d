import { join, posix } from 'node:path';
import type { Engine } from '../../engine/engine';
import { ExpectedError, step } from '../../errors';
import { platformImages, readImageReceipt } from '../../receipt/platform-images';
import { prepareOutputs, writeFileAtomic } from '../../receipt/receipt';
import { APT_POLICY_SCRIPT, DEBIAN_PACKAGE_NAME, parseAptPolicy, type Update, updatesOf } from '../../release/apt-policy';
import { PACKAGE_LOCK_FILE, type PackageLock, renderPackageLock, withLockedVersions } from '../../release/package-lock';
import type { Package } from '../../stack/image-contents';
import { buildArgsFor, type StackImage } from '../../stack/stack';
import { readPackageLockFromDisk, readStackFromDisk, readTextFile } from '../../workspace/workspace-files';
import { executor, type Io } from '../executor';
import type { CheckUpdatesExecutorOptions } from './schema';

export default executor(checkUpdates);

export const UPDATES_FILE = 'updates.json';

/** One image on the engine's platform: what it holds, and where apt can be asked about it. */
interface Subject {
  image: StackImage;
  platform: string;
  installed: Package[];
  /** The image a query container runs from: one with apt and the sources the image was built with. */
  queryImage: string;
}

/**
 * Asks the distro's mirror which installed packages have newer versions:
 * per query image, one throwaway container refreshes the package lists from
 * its own sources and runs `apt-cache policy` for the names. What is
 * installed comes from each image's receipt, or from the lock where the
 * image has not been built here. With --write, the versions the mirror
 * offers become the stack's lock.
 */
export async function checkUpdates(options: CheckUpdatesExecutorOptions, io: Io) {
  const started = Date.now();
  const outputDir = join(io.workspaceRoot, options.outputPath);
  await prepareOutputs(outputDir);
  const stack = readStackFromDisk(io.workspaceRoot, options.stack);
  const lock = readPackageLockFromDisk(io.workspaceRoot, options.stack);
  const engine = await io.engine();
  const platform = await engine.platform();

  const subjects: Subject[] = [];
  for (const { key, outputPath } of options.images) {
    const image = stack.images.find((i) => i.key === key);
    if (!image) throw new ExpectedError(`nx-cnb:check-updates: ${options.stack} has no image ${key}`);
    subjects.push(await subjectOf(engine, io, options, image, outputPath, platform, lock));
  }

  const candidates = new Map<string, Map<string, string | undefined>>();
  for (const queryImage of new Set(subjects.map((s) => s.queryImage))) {
    const names = [...new Set(subjects.filter((s) => s.queryImage === queryImage).flatMap((s) => s.installed.map((p) => p.name)))].sort();
    io.logger.info(`asking the mirror about ${names.length} packages, from a container of ${queryImage.slice(0, 19)}`);
    candidates.set(queryImage, await step(`asking the package mirror from ${queryImage}`, () => queryCandidates(engine, queryImage, names)));
  }

  let next: PackageLock | undefined = lock;
  const report: { image: string; platform: string; updates: Update[] }[] = [];
  for (const s of subjects) {
    const offered = candidates.get(s.queryImage)!;
    const updates = updatesOf(s.installed, offered);
    report.push({ image: s.image.key, platform: s.platform, updates });
    io.logger.info(
      `${s.image.key} (${s.platform}): ${updates.length ? `${updates.length} of ${s.installed.length} packages have updates` : `all ${s.installed.length} packages current`}`,
    );
    for (const u of updates) io.logger.info(`  ${u.name} ${u.installed} -> ${u.candidate ?? '(no longer in the mirror)'}`);
    next = withLockedVersions(next, s.image.key, s.platform, Object.fromEntries(s.installed.map((p) => [p.name, offered.get(p.name) ?? p.version])));
  }
  await writeFileAtomic(join(outputDir, UPDATES_FILE), JSON.stringify({ images: report }, null, 2) + '\n');

  const lockFile = posix.join(options.stack, PACKAGE_LOCK_FILE);
  const text = renderPackageLock(next!);
  const changed = text !== readTextFile(join(io.workspaceRoot, lockFile));
  if (options.write && changed) {
    await writeFileAtomic(join(io.workspaceRoot, lockFile), text);
    io.logger.info(`${lockFile} updated: commit it, and the stack's images (and the builders that use them) rebuild`);
  } else if (options.write) io.logger.info(`${lockFile} already holds these versions`);
  else if (changed) io.logger.info(`${lockFile} would change; run with --write to record it`);
  io.logger.info(`check-updates took ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return { report, lockChanged: changed };
}

async function subjectOf(
  engine: Engine,
  io: Io,
  options: CheckUpdatesExecutorOptions,
  image: StackImage,
  outputPath: string,
  platform: string,
  lock: PackageLock | undefined,
): Promise<Subject> {
  const receipt = await readImageReceipt(join(io.workspaceRoot, outputPath), outputPath);
  const built = receipt && platformImages(receipt).find((p) => p.platform === platform);
  const locked = lock?.images[image.key]?.[platform];
  const installed = built?.packages ?? (locked ? Object.entries(locked).map(([name, version]) => ({ name, version, architecture: '' })) : undefined);
  if (!installed) {
    throw new ExpectedError(
      `${image.key}: no receipt for ${platform} in ${outputPath} and no entry in ${posix.join(options.stack, PACKAGE_LOCK_FILE)}: build the image first (nx run ${options.project}:image-${image.key})`,
    );
  }
  for (const p of installed)
    if (!DEBIAN_PACKAGE_NAME.test(p.name)) throw new ExpectedError(`${image.key}: ${JSON.stringify(p.name)} is no Debian package name`);

  // The image itself when it has apt; else the image its Dockerfile starts from (whose sources fetched its packages); else the stack's build image.
  const candidates: (string | undefined)[] = [];
  if (built && installed.some((p) => p.name === 'apt')) candidates.push(built.imageId);
  candidates.push(buildArgsFor(image, platform).base_image);
  const buildImage = (
    await Promise.all(options.images.map(async (i) => (i.key === 'build' ? readImageReceipt(join(io.workspaceRoot, i.outputPath)) : undefined)))
  ).find(Boolean);
  if (buildImage) candidates.push(buildImage.imageId);
  for (const candidate of candidates) if (candidate && (await engine.inspect(candidate))) return { image, platform, installed, queryImage: candidate };
  throw new ExpectedError(
    `${image.key}: no image with apt to ask the mirror from: the image itself (${built ? 'no apt in it' : 'not built here'}), its base_image build arg (${buildArgsFor(image, platform).base_image ?? 'none'}) and the stack's build image are not in the engine`,
  );
}

async function queryCandidates(engine: Engine, queryImage: string, names: string[]): Promise<Map<string, string | undefined>> {
  const result = await engine.run(queryImage, ['sh', '-c', APT_POLICY_SCRIPT, 'nx-cnb-check-updates', ...names], { user: '0:0' });
  if (result.exitCode !== 0) {
    const reason = (result.stderr || result.stdout).trim().split('\n').slice(-3).join(' / ');
    throw new ExpectedError(`the query container of ${queryImage} exited with ${result.exitCode}: ${reason || 'no output'}`);
  }
  return parseAptPolicy(result.stdout);
}
