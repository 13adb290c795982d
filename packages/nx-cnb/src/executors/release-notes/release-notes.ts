import { join } from 'node:path';
import { ConfigError } from '../../errors';
import { checkRemovals, compareWithBaseline } from '../../receipt/compare';
import { platformImages, releasedImages } from '../../receipt/platform-images';
import { prepareOutputs, writeFileAtomic } from '../../receipt/receipt';
import { type ConfigChanges, nextPatchVersion, NOTES_FILE, RELEASE_FILE, type ReleaseRecord, renderReleaseNotes, SEMVER } from '../../release/release-notes';
import { changesSince, tagNames } from '../../workspace/git';
import { executor, type Io } from '../executor';
import type { ReleaseNotesExecutorOptions } from './schema';

export default executor(releaseNotes);

/**
 * Writes the release notes of a stack: its version, each image with
 * reference, ID, size and layers, the package changes against the baseline
 * and the changes to its Dockerfiles and stack.toml since the baseline's
 * commit. release.json beside them names the version and image IDs, so
 * publish can tell whether the notes describe what it pushes.
 */
export async function releaseNotes(options: ReleaseNotesExecutorOptions, io: Io) {
  if (options.version !== undefined && !SEMVER.test(options.version)) {
    throw new ConfigError('nx-cnb:release-notes', '--version', 'a version MAJOR.MINOR.PATCH such as 1.4.2', JSON.stringify(options.version));
  }
  const outputDir = join(io.workspaceRoot, options.outputPath);
  await prepareOutputs(outputDir);
  const { current, baseline, diffs } = await compareWithBaseline('nx-cnb:release-notes', options, io);
  checkRemovals(diffs, options.allowRemovals, (line) => io.logger.warn(line));

  const version = options.version ?? nextPatchVersion(options.project, await tagNames(io.workspaceRoot), baseline.versions);
  const config: ConfigChanges | undefined = baseline.commit
    ? { since: baseline.commit.slice(0, 12), ...(await changesSince(io.workspaceRoot, baseline.commit, options.stackFiles)) }
    : undefined;
  const images = current.flatMap((r) =>
    platformImages(r).map((p) => ({
      image: r.image,
      platform: p.platform,
      references: r.references,
      imageId: p.imageId,
      digest: p.digest,
      size: p.size,
      layers: p.layers,
      packages: p.packages.length,
    })),
  );
  const notes = renderReleaseNotes({ project: options.project, version, date: io.now(), baseline: baseline.label, images, diffs, config });
  const release: ReleaseRecord = { project: options.project, version, baseline: baseline.label, images: current.flatMap(releasedImages) };
  await writeFileAtomic(join(outputDir, RELEASE_FILE), JSON.stringify(release, null, 2) + '\n');
  await writeFileAtomic(join(outputDir, NOTES_FILE), notes);
  io.logger.info(`release notes of ${options.project} ${version} written to ${join(options.outputPath, NOTES_FILE)}`);
  return { version, notes };
}
