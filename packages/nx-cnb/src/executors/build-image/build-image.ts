import { join, relative } from 'node:path';
import { contextTar, memoryTar, toBuffer } from '../../engine/context';
import type { Engine, InspectedImage, Log } from '../../engine/engine';
import { ConfigError, ExpectedError, step } from '../../errors';
import { ARCHIVE_FILE, type ImageReceipt, imageReceipt, prepareOutputs, writeReceipt } from '../../receipt/receipt';
import { checkNaming, imageReferences } from '../../reference/image-reference';
import { decorateDockerfile } from '../../stack/decorate-dockerfile';
import { type ImageConfig, imageConfig, labelMismatches, specProblems } from '../../stack/image-config';
import { cnbUserLayer, type OsRelease, type Package, parseDpkgPackages, parseOsRelease, withCnbUser } from '../../stack/image-contents';
import { buildArgsFor, type Stack, type StackImage } from '../../stack/stack';
import { lockBuildArgs, readStackFromDisk } from '../../workspace/workspace-files';
import { withLicenses } from '../../release/copyright';
import { writeSboms } from '../../receipt/platform-images';
import { RESTORE_ONLY } from '../../receipt/baseline';
import { executor, type Io } from '../executor';
import type { BuildImageExecutorOptions } from './schema';

export default executor(buildStackImage);

// Debian keeps each package's copyright (its licenses, in DEP-5 form) here; only these files are read of the folder.
const COPYRIGHT_FOLDER = '/usr/share/doc';
const isCopyrightFile = (path: string) => /^\/usr\/share\/doc\/[^/]+\/copyright$/.test(path);

/** What the Dockerfile's own image holds that decorating needs. */
interface BaseContents {
  osRelease: OsRelease;
  packages: Package[];
  passwd?: string;
  group?: string;
  hasPath: boolean;
}

/**
 * Builds one image of a stack: its Dockerfile, then a small decorating build
 * that adds what `jam create-stack` adds, then the spec checks, the saved
 * image and the receipt. Old outputs go first, so a failure leaves none.
 */
export async function buildStackImage(options: BuildImageExecutorOptions, io: Io): Promise<ImageReceipt> {
  checkNaming('nx-cnb:build-image', 'options.', options);
  const outputDir = join(io.workspaceRoot, options.outputPath);
  await prepareOutputs(outputDir);
  if (process.env[RESTORE_ONLY]) {
    throw new ExpectedError(`${options.stack} ${options.image}: not in the Nx cache for ${process.env[RESTORE_ONLY]}; restoring a baseline builds nothing`);
  }

  const { stack, image } = findImage(io.workspaceRoot, options);
  stack.warnings.forEach((w) => io.logger.warn(w));
  const engine = await io.engine();
  const platform = await choosePlatform(engine, image, options);
  const references = imageReferences(image.name, options.repository, options.tags);
  const subject = `${options.stack} ${image.key} (${references[0]}, ${platform})`;
  const log: Log = (line) => io.logger.info(`${image.key} | ${line}`);

  log(`building ${image.dockerfile} for ${platform}`);
  const baseId = await step(`building ${subject}`, () => buildDockerfile(engine, io.workspaceRoot, options.stack, image, platform, subject, log));
  const base = await step(`reading the files of ${subject}`, () => readBaseContents(engine, baseId, subject));

  log('adding the cnb user, CNB env and labels');
  const config = imageConfig(image, base.osRelease, base.packages, io.now(), base.hasPath);
  const imageId = await step(`decorating ${subject}`, () => decorate(engine, image, baseId, base, config, references, subject, log));
  const inspected = await step(`checking ${subject}`, () => checkAgainstSpec(engine, image, imageId, config.labels, references, subject));

  let archive: string | null = null;
  if (options.archive !== false) {
    log(`saving the image to ${join(options.outputPath, ARCHIVE_FILE)}`);
    await step(`saving ${subject}`, () => engine.save(references[0], join(outputDir, ARCHIVE_FILE)));
    archive = ARCHIVE_FILE;
  }
  const receipt = imageReceipt({ stack: options.stack, image, references, platform, inspected, packages: base.packages, archive });
  await step(`writing the SBOM of ${subject}`, () => writeSboms(outputDir, receipt));
  await writeReceipt(outputDir, receipt);
  log(
    `built ${references.join(', ')} ${imageId.slice(7, 19)} (${(receipt.size / 1e6).toFixed(1)} MB, ${receipt.layers} layers, ${receipt.packages.length} packages)`,
  );
  return receipt;
}

function findImage(workspaceRoot: string, options: BuildImageExecutorOptions): { stack: Stack; image: StackImage } {
  const stack = readStackFromDisk(workspaceRoot, options.stack);
  const image = stack.images.find((i) => i.key === options.image);
  if (!image)
    throw new ConfigError(
      'nx-cnb:build-image',
      'options.image',
      `an image of ${options.stack} (${stack.images.map((i) => i.key).join(', ')})`,
      JSON.stringify(options.image),
    );
  return { stack, image };
}

async function choosePlatform(engine: Engine, image: StackImage, options: BuildImageExecutorOptions): Promise<string> {
  const platform = options.platform ?? (await engine.platform());
  if (!image.platforms.includes(platform)) {
    const which = options.platform ? 'the requested platform' : "the engine's platform";
    throw new ConfigError(join(options.stack, image.stackToml), 'platforms', `${platform} (${which})`, JSON.stringify(image.platforms));
  }
  return platform;
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
  return engine.build(subject, { context: contextTar(contextDir, dockerfile), dockerfile, target: image.definition.target, buildArgs, platform }, log);
}

async function readBaseContents(engine: Engine, baseId: string, subject: string): Promise<BaseContents> {
  const files = await engine.readFiles(
    baseId,
    ['/etc/os-release', '/etc/passwd', '/etc/group', '/var/lib/dpkg/status', '/var/lib/dpkg/status.d', COPYRIGHT_FOLDER],
    isCopyrightFile,
  );
  const osRelease = files.get('/etc/os-release')?.[0];
  if (!osRelease) throw new ExpectedError(`${subject}: the image has no /etc/os-release, so its distro cannot be named (io.buildpacks.base.distro.*)`);
  const inspected = await engine.inspect(baseId);
  return {
    osRelease: parseOsRelease(osRelease.content),
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
 * Adds one layer with the cnb user in /etc/passwd and /etc/group and its home,
 * and sets User, env and labels, as `jam create-stack` does. Built as a
 * second, tiny Dockerfile FROM the first image, so it works on scratch images
 * too and the engine's build cache keeps reruns fast.
 */
async function decorate(
  engine: Engine,
  image: StackImage,
  baseId: string,
  base: BaseContents,
  config: ImageConfig,
  references: string[],
  subject: string,
  log: Log,
): Promise<string> {
  const { uid, gid, shell } = image.definition;
  const userLayer = await toBuffer(memoryTar(cnbUserLayer(withCnbUser(base.passwd, base.group, { uid, gid, shell }), { uid, gid, shell })));
  const { dockerfile, apiLabels } = decorateDockerfile(baseId, 'cnb-user.tar', config.env, config.labels, config.user);
  const context = memoryTar([
    { name: 'Dockerfile', content: dockerfile },
    { name: 'cnb-user.tar', content: userLayer },
  ]);
  return engine.build(subject, { context, dockerfile: 'Dockerfile', labels: apiLabels, tags: references }, log);
}

/** The finished image against the spec and against what decorating asked for; a failure untags it. */
async function checkAgainstSpec(
  engine: Engine,
  image: StackImage,
  imageId: string,
  labels: Record<string, string>,
  references: string[],
  subject: string,
): Promise<InspectedImage> {
  const inspected = await engine.inspect(imageId);
  if (!inspected) throw new ExpectedError(`${subject}: the engine lost the image ${imageId} it just built`);
  const files = await engine.readFiles(imageId, ['/etc/passwd']);
  const problems = [...specProblems(image, inspected, files.get('/etc/passwd')?.[0]?.content), ...labelMismatches(labels, inspected.Config?.Labels)];
  if (problems.length) {
    await Promise.all(references.map((reference) => engine.untag(reference)));
    throw new ExpectedError(`${subject} breaks the CNB platform spec:\n  - ${problems.join('\n  - ')}`);
  }
  return inspected;
}
