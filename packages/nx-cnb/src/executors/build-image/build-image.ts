import { join, relative } from 'node:path';
import { contextTar, memoryTar, toBuffer } from '../../engine/context';
import type { Engine, InspectedImage, Log } from '../../engine/engine';
import { ConfigError, ExpectedError, step } from '../../errors';
import { formatPlatform, parsePlatform, platformReference, servesPlatform } from '../../oci/platform';
import {
  ARCHIVE_FILE,
  type ImageReceipt,
  imageReceipt,
  localPlatform,
  type PlatformImage,
  platformImage,
  prepareOutputs,
  writeReceipt,
} from '../../receipt/receipt';
import { checkNaming, imageReferences, isRepository, registryHost, REPOSITORY_EXPECTED } from '../../reference/image-reference';
import { registryAuth } from '../../engine/registry-auth';
import { decorateDockerfile } from '../../stack/decorate-dockerfile';
import { type ImageConfig, imageConfig, labelMismatches, specProblems } from '../../stack/image-config';
import { decorationLayer, type OsRelease, type Package, parseDpkgPackages, parseOsRelease, withCnbUser, withOsReleaseValues } from '../../stack/image-contents';
import { buildArgsFor, type Stack, type StackImage } from '../../stack/stack';
import { buildIdentity, imageSourcePaths, imageSources } from '../../workspace/image-sources';
import { sourceDate } from '../../workspace/source-date';
import { lockBuildArgs, readStackFromDisk } from '../../workspace/workspace-files';
import { withLicenses } from '../../release/copyright';
import { writeSboms } from '../../receipt/platform-images';
import { RESTORE_ONLY } from '../../receipt/baseline';
import { executor, type Io } from '../executor';
import { derivedMixins } from './mixins';
import type { BuildImageExecutorOptions } from './schema';

export default executor(buildStackImage);

// Debian keeps each package's copyright (its licenses, in DEP-5 form) here; only these files are read of the
// folder, and every file of the other folders read (dpkg's status.d of distroless images).
const COPYRIGHT_FOLDER = '/usr/share/doc';
const isWanted = (path: string) => !path.startsWith(`${COPYRIGHT_FOLDER}/`) || /^\/usr\/share\/doc\/[^/]+\/copyright$/.test(path);

/** What the Dockerfile's own image holds that decorating needs. */
interface BaseContents {
  osRelease: OsRelease;
  osReleaseText: string;
  packages: Package[];
  passwd?: string;
  group?: string;
  hasPath: boolean;
}

/** What every platform's build of one image shares. */
interface ImageBuild {
  io: Io;
  engine: Engine;
  options: BuildImageExecutorOptions;
  stack: Stack;
  image: StackImage;
  references: string[];
  released: Date;
  log: Log;
}

/**
 * Builds one image of a stack for every platform it declares: per platform,
 * its Dockerfile, then a small decorating build that adds what `jam
 * create-stack` adds, then the spec checks. The platforms build side by side;
 * only when all succeed are the images saved and the receipt written. Old
 * outputs go first, so a failure or an interruption leaves none.
 */
export async function buildStackImage(options: BuildImageExecutorOptions, io: Io): Promise<ImageReceipt> {
  checkNaming('nx-cnb:build-image', 'options.', options);
  if (options.cacheRepository !== undefined && !isRepository(options.cacheRepository)) {
    throw new ConfigError('nx-cnb:build-image', 'options.cacheRepository', REPOSITORY_EXPECTED, JSON.stringify(options.cacheRepository));
  }
  const outputDir = join(io.workspaceRoot, options.outputPath);
  await prepareOutputs(outputDir);
  if (process.env[RESTORE_ONLY]) {
    throw new ExpectedError(`${options.stack} ${options.image}: not in the Nx cache for ${process.env[RESTORE_ONLY]}; restoring a baseline builds nothing`);
  }

  const { stack, image } = findImage(io.workspaceRoot, options);
  // Taken before building, as Nx hashes the task's inputs before running it.
  const sources = await imageSources(io.workspaceRoot, imageSourcePaths(options.stack, image), buildIdentity(options));
  stack.warnings.forEach((w) => io.logger.warn(w));
  const engine = await io.engine();
  const platforms = await choosePlatforms(engine, image, options);
  const builder = await engine.builder();
  const log: Log = (line) => io.logger.info(`${image.key} | ${line}`);
  const build: ImageBuild = {
    io,
    engine,
    options,
    stack,
    image,
    references: imageReferences(image.name, options.repository, options.tags),
    released: sourceDate(io.workspaceRoot, options.stack),
    log,
  };
  log(
    `building ${image.dockerfile} for ${platforms.join(', ')} with ${builder === 'buildkit' ? 'BuildKit' : 'the classic builder (the engine has no BuildKit)'}`,
  );
  const built = await allPlatforms(platforms.map((platform) => () => buildPlatform(build, platform, platforms.length > 1)));

  // The plain references name the engine's own platform's image; each platform keeps its suffixed tags.
  const local = localPlatform({ platforms: built }, await engine.platform());
  for (const reference of build.references) await engine.tag(local.imageId, reference);

  let archive: string | null = null;
  if (options.cacheRepository) {
    log(`pushing to the cache registry ${options.cacheRepository}`);
    const cached = await step(`pushing ${build.references[0]} to ${options.cacheRepository}`, () =>
      pushToCache(engine, options.cacheRepository!, image, built, log),
    );
    built.forEach((p, i) => (p.cached = cached[i]));
  } else if (options.archive !== false) {
    log(`saving the image${built.length > 1 ? 's' : ''} to ${join(options.outputPath, ARCHIVE_FILE)}`);
    const tags = built.flatMap((p) => build.references.map((reference) => platformReference(reference, p.platform)));
    await step(`saving ${build.references[0]}`, () => engine.save(tags, join(outputDir, ARCHIVE_FILE)));
    archive = ARCHIVE_FILE;
  }
  // The builder again: an engine that refused BuildKit got the classic builder instead.
  const receipt = imageReceipt({
    stack: options.stack,
    image,
    references: build.references,
    builder: await engine.builder(),
    released: build.released,
    platforms: built,
    archive,
    sources: sources ?? null,
  });
  await step(`writing the SBOMs of ${build.references[0]}`, () => writeSboms(outputDir, receipt));
  await writeReceipt(outputDir, receipt);
  for (const p of built) {
    log(
      `built ${build.references[0]} for ${p.platform}: ${p.imageId.slice(7, 19)} (${(p.size / 1e6).toFixed(1)} MB, ${p.layers} layers, ${p.packages.length} packages)`,
    );
  }
  return receipt;
}

/**
 * Pushes each platform's image to the cache registry under a tag named after
 * its image ID (so no push overwrites another image) and returns where each
 * is by digest. The registry keeps layers by digest: a rebuild pushes only
 * the layers that changed.
 */
async function pushToCache(engine: Engine, cacheRepository: string, image: StackImage, built: PlatformImage[], log: Log): Promise<string[]> {
  const repository = `${cacheRepository.replace(/\/+$/, '')}/${image.name}`;
  const auth = await registryAuth(registryHost(repository));
  const cached: string[] = [];
  for (const p of built) {
    const tag = `${repository}:${p.imageId.replace(':', '-')}`;
    await engine.tag(p.imageId, tag);
    try {
      cached.push(`${repository}@${await engine.push(tag, auth, (line) => log(`${p.platform} | ${line}`))}`);
    } finally {
      await engine.untag(tag);
    }
  }
  return cached;
}

function findImage(workspaceRoot: string, options: BuildImageExecutorOptions): { stack: Stack; image: StackImage } {
  const stack = readStackFromDisk(workspaceRoot, options.stack);
  const image = stack.images.find((i) => i.key === options.image);
  if (!image) {
    const keys = stack.images.map((i) => i.key).join(', ');
    throw new ConfigError('nx-cnb:build-image', 'options.image', `an image of ${options.stack} (${keys})`, JSON.stringify(options.image));
  }
  return { stack, image };
}

/**
 * The platforms to build: the one the options name, else every platform the
 * stack declares. Each must be one the engine runs, as RUN steps execute
 * the platform's programs; that is checked before anything is built.
 */
async function choosePlatforms(engine: Engine, image: StackImage, options: BuildImageExecutorOptions): Promise<string[]> {
  const file = join(options.stack, image.stackToml);
  if (options.platform && !image.platforms.includes(options.platform)) {
    throw new ConfigError(file, 'platforms', `${options.platform} (the requested platform)`, JSON.stringify(image.platforms));
  }
  const platforms = options.platform ? [options.platform] : image.platforms;
  const enginePlatform = await engine.platform();
  for (const platform of platforms) {
    const support = await engine.runs(platform);
    if (support && !support.runs) {
      throw new ConfigError(
        file,
        'platforms',
        `platforms the engine (${enginePlatform}) can run; to build ${platform} on it, register QEMU for ${parsePlatform(platform).architecture} with binfmt_misc on the engine's host ` +
          `(Debian and Ubuntu: apt-get install qemu-user-static binfmt-support; or docker run --privileged --rm tonistiigi/binfmt --install ${parsePlatform(platform).architecture}) or leave ${platform} out`,
        `${JSON.stringify(platform)}, which the engine cannot run (${support.reason})`,
      );
    }
  }
  return platforms;
}

/** Runs every platform's build to its end, then fails with the first failure, if any. */
async function allPlatforms<T>(builds: (() => Promise<T>)[]): Promise<T[]> {
  const settled = await Promise.allSettled(builds.map((b) => b()));
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<T>).value);
}

async function buildPlatform(build: ImageBuild, platform: string, several: boolean): Promise<PlatformImage> {
  const { engine, image, options } = build;
  const subject = `${options.stack} ${image.key} (${build.references[0]}, ${platform})`;
  const log: Log = several ? (line) => build.log(`${platform} | ${line}`) : build.log;
  const baseId = await step(`building ${subject}`, () => buildDockerfile(engine, build.io.workspaceRoot, options.stack, image, platform, subject, log));
  const base = await step(`reading the files of ${subject}`, () => readBaseContents(engine, baseId, subject));
  const mixins = await step(`deriving the mixins of ${subject}`, () =>
    derivedMixins(build.stack, image, base.packages, platform, {
      workspaceRoot: build.io.workspaceRoot,
      buildReceipt: options.mixinsFrom,
      packagesOf: async (pair) => {
        const pairSubject = `${options.stack} ${pair.key} (${platform})`;
        const pairId = await buildDockerfile(engine, build.io.workspaceRoot, options.stack, pair, platform, pairSubject, log);
        return (await readBaseContents(engine, pairId, pairSubject)).packages;
      },
      log,
      warn: (line) => build.io.logger.warn(line),
    }),
  );
  const decorated = mixins ? { ...image, definition: { ...image.definition, mixins } } : image;
  const config = imageConfig(decorated, base.osRelease, base.packages, build.released, base.hasPath);
  const tags = build.references.map((reference) => platformReference(reference, platform));
  log(`adding the cnb user, CNB env and labels${Object.keys(image.osRelease).length ? " and the stack's /etc/os-release values" : ''}`);
  const imageId = await step(`decorating ${subject}`, () => decorate(engine, image, baseId, base, config, tags, platform, subject, log));
  const inspected = await step(`checking ${subject}`, () => checkAgainstSpec(engine, image, imageId, platform, config.labels, tags, subject));
  return platformImage(platform, inspected, base.packages);
}

function buildDockerfile(
  engine: Engine,
  workspaceRoot: string,
  stackRoot: string,
  image: StackImage,
  platform: string,
  subject: string,
  log: Log,
): Promise<string> {
  const contextDir = join(workspaceRoot, stackRoot, image.context);
  const dockerfile = relative(contextDir, join(workspaceRoot, stackRoot, image.dockerfile));
  // Before the context starts streaming, so a bad lock leaves no stream behind.
  const buildArgs = { ...buildArgsFor(image, platform), ...lockBuildArgs(workspaceRoot, stackRoot, image, platform) };
  return engine.build(subject, { context: () => contextTar(contextDir, dockerfile), dockerfile, target: image.definition.target, buildArgs, platform }, log);
}

async function readBaseContents(engine: Engine, baseId: string, subject: string): Promise<BaseContents> {
  const files = await engine.readFiles(
    baseId,
    ['/etc/os-release', '/etc/passwd', '/etc/group', '/var/lib/dpkg/status', '/var/lib/dpkg/status.d', COPYRIGHT_FOLDER],
    isWanted,
  );
  const osRelease = files.get('/etc/os-release')?.[0];
  if (!osRelease) throw new ExpectedError(`${subject}: the image has no /etc/os-release, so its distro cannot be named (io.buildpacks.base.distro.*)`);
  const inspected = await engine.inspect(baseId);
  return {
    osRelease: parseOsRelease(osRelease.content),
    osReleaseText: osRelease.content,
    // The decorating layer touches only the cnb user, so the packages read here hold for the final image.
    packages: withLicenses(
      parseDpkgPackages([...(files.get('/var/lib/dpkg/status') ?? []), ...(files.get('/var/lib/dpkg/status.d') ?? [])]),
      files.get(COPYRIGHT_FOLDER) ?? [],
    ),
    passwd: files.get('/etc/passwd')?.[0]?.content,
    group: files.get('/etc/group')?.[0]?.content,
    hasPath: (inspected?.Config?.Env ?? []).some((e) => e.startsWith('PATH=')),
  };
}

/**
 * Adds one layer with the cnb user in /etc/passwd and /etc/group and its home
 * (and a run image's rebranded /etc/os-release), and sets User, env and
 * labels, as `jam create-stack` does. Built as a
 * second, tiny Dockerfile FROM the first image, so it works on scratch images
 * too and the build cache keeps reruns fast (and their image IDs the same).
 */
async function decorate(
  engine: Engine,
  image: StackImage,
  baseId: string,
  base: BaseContents,
  config: ImageConfig,
  tags: string[],
  platform: string,
  subject: string,
  log: Log,
): Promise<string> {
  const { uid, gid, shell } = image.definition;
  const rebranded = Object.keys(image.osRelease).length ? withOsReleaseValues(base.osReleaseText, image.osRelease) : undefined;
  const layer = await toBuffer(memoryTar(decorationLayer(withCnbUser(base.passwd, base.group, { uid, gid, shell }), { uid, gid, shell }, rebranded)));
  // BuildKit reads "FROM sha256:..." as a Docker Hub name, so the decorating build starts from a temporary tag.
  const undecorated = `nx-cnb-undecorated/${image.name}:${platform.replace(/\//g, '-')}-${process.pid}`;
  const { dockerfile, apiLabels } = decorateDockerfile(undecorated, 'decoration.tar', config.env, config.labels, config.user);
  const context = () =>
    memoryTar([
      { name: 'Dockerfile', content: dockerfile },
      { name: 'decoration.tar', content: layer },
    ]);
  await engine.tag(baseId, undecorated);
  try {
    return await engine.build(subject, { context, dockerfile: 'Dockerfile', labels: apiLabels, tags, platform }, log);
  } finally {
    await engine.untag(undecorated);
  }
}

/** The finished image against the spec, its platform and what decorating asked for; a failure untags it. */
async function checkAgainstSpec(
  engine: Engine,
  image: StackImage,
  imageId: string,
  platform: string,
  labels: Record<string, string>,
  tags: string[],
  subject: string,
): Promise<InspectedImage> {
  const inspected = await engine.inspect(imageId);
  if (!inspected) throw new ExpectedError(`${subject}: the engine lost the image ${imageId} it just built`);
  const files = await engine.readFiles(imageId, ['/etc/passwd']);
  const problems = [...specProblems(image, inspected, files.get('/etc/passwd')?.[0]?.content), ...labelMismatches(labels, inspected.Config?.Labels)];
  if (!servesPlatform(inspected, platform)) {
    const found = formatPlatform({ os: inspected.Os ?? '?', architecture: inspected.Architecture ?? '?', variant: inspected.Variant });
    problems.push(`the image config must name the platform ${platform}, found ${found} (does the Dockerfile pin another platform in FROM?)`);
  }
  if (problems.length) {
    await Promise.all(tags.map((tag) => engine.untag(tag)));
    throw new ExpectedError(`${subject} breaks the CNB platform spec:\n  - ${problems.join('\n  - ')}`);
  }
  return inspected;
}
