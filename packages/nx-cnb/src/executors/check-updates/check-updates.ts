import { join, posix } from 'node:path';
import type { Engine } from '../../engine/engine';
import { ExpectedError, step } from '../../errors';
import { servesPlatform } from '../../oci/platform';
import { platformImages, readImageReceipt } from '../../receipt/platform-images';
import { type ImageReceipt, prepareOutputs, writeFileAtomic } from '../../receipt/receipt';
import { APT_POLICY_SCRIPT, DEBIAN_PACKAGE_NAME, debianArchitecture, parseAptPolicy, type Update, updatesOf } from '../../release/apt-policy';
import { PACKAGE_LOCK_FILE, type PackageLock, renderPackageLock, withLockedVersions } from '../../release/package-lock';
import type { Package } from '../../stack/image-contents';
import { buildArgsFor, type StackImage } from '../../stack/stack';
import { readPackageLockFromDisk, readStackFromDisk, readTextFile } from '../../workspace/workspace-files';
import { executor, type Io } from '../executor';
import type { CheckUpdatesExecutorOptions } from './schema';

export default executor(checkUpdates);

export const UPDATES_FILE = 'updates.json';

/** Where apt is asked about a platform's packages: a container of an image, with apt set to an architecture. */
interface Query {
  image: string;
  /** Debian's name of the architecture asked about. */
  architecture: string;
  /** What the log and errors call it. */
  shown: string;
}

/** One image on one platform: what it holds, and where apt is asked about it. */
interface Subject {
  image: StackImage;
  platform: string;
  installed: Package[];
  query: Query;
}

/**
 * Asks the distro's mirror which installed packages have newer versions, for
 * every image and platform of the stack: per query image and architecture,
 * one throwaway container refreshes the package lists from its own sources
 * and runs `apt-cache policy` for the names. What is installed comes from
 * each image's receipt, or from the lock where the image has not been built
 * here. With --write, the versions the mirror offers become the stack's lock.
 */
export async function checkUpdates(options: CheckUpdatesExecutorOptions, io: Io) {
  const started = Date.now();
  const outputDir = join(io.workspaceRoot, options.outputPath);
  await prepareOutputs(outputDir);
  const stack = readStackFromDisk(io.workspaceRoot, options.stack);
  const lock = readPackageLockFromDisk(io.workspaceRoot, options.stack);
  const engine = await io.engine();
  const enginePlatform = await engine.platform();

  const receipts = new Map<string, ImageReceipt | undefined>();
  for (const { key, outputPath } of options.images) receipts.set(key, await readImageReceipt(join(io.workspaceRoot, outputPath), outputPath));
  const subjects: Subject[] = [];
  for (const { key, outputPath } of options.images) {
    const image = stack.images.find((i) => i.key === key);
    if (!image) throw new ExpectedError(`nx-cnb:check-updates: ${options.stack} has no image ${key}`);
    for (const platform of image.platforms) {
      const installed = installedPackages(options, image, platform, outputPath, receipts.get(key), lock);
      const query = await queryFor(engine, enginePlatform, image, platform, receipts.get(key), receipts.get('build'));
      subjects.push({ image, platform, installed, query });
    }
  }

  // One container per query image and architecture, two at a time: each refreshes the package lists from the network.
  const queries = [...new Map(subjects.map((s) => [queryKey(s.query), s.query])).values()];
  const candidates = new Map<string, Map<string, string | undefined>>();
  await inTwos(queries, async (query) => {
    const of = subjects.filter((s) => queryKey(s.query) === queryKey(query));
    const names = [...new Set(of.flatMap((s) => s.installed.map((p) => p.name)))].sort();
    io.logger.info(`asking the mirror about ${names.length} packages for ${query.architecture}, from a container of ${query.shown}`);
    candidates.set(queryKey(query), await step(`asking the package mirror from ${query.shown}`, () => queryCandidates(engine, query, names)));
  });

  let next: PackageLock | undefined = lock;
  const report: { image: string; platform: string; updates: Update[] }[] = [];
  for (const s of subjects) {
    const offered = candidates.get(queryKey(s.query))!;
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

/** What an image holds on a platform: its receipt's packages, else the lock's versions (CI, where nothing was built). */
function installedPackages(
  options: CheckUpdatesExecutorOptions,
  image: StackImage,
  platform: string,
  outputPath: string,
  receipt: ImageReceipt | undefined,
  lock: PackageLock | undefined,
): Package[] {
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
  return installed;
}

/**
 * Where to ask about an image's packages on a platform. Sources, in order:
 * the image itself (when it has apt), the image its Dockerfile starts from
 * (the `base_image` build arg, whose sources fetched its packages; what
 * distroless images need), and the stack's build image. Of each, its image
 * of the engine's own platform is taken first, with apt set to the
 * platform's architecture: the mirror's answer depends on the sources and
 * the architecture's index, not on the machine asking, and a native
 * container answers in seconds where one under QEMU takes half a minute.
 * A receipt's native image stands for another platform only when that
 * platform's build args are the same (so are its sources). Without a native
 * one, the platform's own image is asked under emulation.
 */
async function queryFor(
  engine: Engine,
  enginePlatform: string,
  image: StackImage,
  platform: string,
  receipt: ImageReceipt | undefined,
  buildReceipt: ImageReceipt | undefined,
): Promise<Query> {
  const architecture = debianArchitecture(platform);
  const sameArgs = (of: StackImage, a: string, b: string) => JSON.stringify(buildArgsFor(of, a)) === JSON.stringify(buildArgsFor(of, b));
  const fromReceipt = (r: ImageReceipt | undefined, what: string): Query | undefined => {
    const withApt = (p: string) => r && platformImages(r).find((i) => i.platform === p && i.packages.some((q) => q.name === 'apt'));
    const native = sameArgs(image, platform, enginePlatform) ? withApt(enginePlatform) : undefined;
    const own = native ?? withApt(platform);
    return own && { image: own.imageId, architecture, shown: `${what} (${own.platform} ${own.imageId.slice(7, 19)})` };
  };
  const base = buildArgsFor(image, platform).base_image;
  const fromBase = async (): Promise<Query | undefined> => {
    const inspected = base ? await engine.inspect(base) : undefined;
    const usable = inspected && (servesPlatform(inspected, enginePlatform) || servesPlatform(inspected, platform));
    return usable ? { image: inspected.Id, architecture, shown: `${base} (${inspected.Os}/${inspected.Architecture})` } : undefined;
  };
  const query = fromReceipt(receipt, image.key) ?? (await fromBase()) ?? fromReceipt(image.key === 'build' ? undefined : buildReceipt, 'the build image');
  if (query) return query;
  throw new ExpectedError(
    `${image.key} (${platform}): no image with apt to ask the mirror from: the image itself (${receipt ? 'no apt in it' : 'not built here'}), ` +
      `its base_image build arg (${base ?? 'none'}, ${base ? 'not in the engine for this platform' : 'not set'}) and the stack's build image (${buildReceipt ? 'no apt in it' : 'not built here'})`,
  );
}

function queryKey(query: Query): string {
  return `${query.image} ${query.architecture}`;
}

async function queryCandidates(engine: Engine, query: Query, names: string[]): Promise<Map<string, string | undefined>> {
  const result = await engine.run(query.image, ['sh', '-c', APT_POLICY_SCRIPT, 'nx-cnb-check-updates', query.architecture, ...names], { user: '0:0' });
  if (result.exitCode !== 0) {
    const reason = (result.stderr || result.stdout).trim().split('\n').slice(-3).join(' / ');
    throw new ExpectedError(`the query container of ${query.shown} exited with ${result.exitCode}: ${reason || 'no output'}`);
  }
  return parseAptPolicy(result.stdout);
}

/** Runs work over items, at most two at a time. */
async function inTwos<T>(items: T[], work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]);
  };
  await Promise.all([worker(), worker()]);
}
