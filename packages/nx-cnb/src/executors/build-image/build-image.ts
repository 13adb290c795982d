import { logger } from '@nx/devkit';
import { checkNaming } from '../../plugin/options';
import { executor } from '../executor';
import type Docker from 'dockerode';
import { join, relative } from 'node:path';
import { saveImage, inspectImage } from '../../engine/archive';
import { buildImage } from '../../engine/build';
import { contextTar, memoryTar, toBuffer } from '../../engine/context';
import { connectEngine, enginePlatform } from '../../engine/engine';
import { readImageFiles } from '../../engine/image-files';
import { ARCHIVE_FILE, prepareOutputs, ImageReceipt, writeReceipt } from '../../receipt/receipt';
import { imageConfig, labelMismatches, specProblems } from '../../stack/image-config';
import { Package, parseDpkgPackages, parseOsRelease, withCnbUser } from '../../stack/image-contents';
import { readStackFromDisk } from '../../stack/read-stack-from-disk';
import { buildArgsFor, imageReferences, StackImage } from '../../stack/stack';
import { decorateDockerfile } from './decorate-dockerfile';
import type { BuildImageExecutorOptions } from './schema';

export default executor(buildStackImage);

export async function buildStackImage(options: BuildImageExecutorOptions, workspaceRoot: string, now = new Date()): Promise<ImageReceipt> {
  checkNaming('nx-cnb:build-image', 'options.', options.repository, options.tags);
  const outputDir = join(workspaceRoot, options.outputPath);
  await prepareOutputs(outputDir);

  const stack = readStackFromDisk(workspaceRoot, options.stack);
  stack.warnings.forEach((w) => logger.warn(w));
  const image = stack.images.find((i) => i.key === options.image);
  if (!image) {
    throw new Error(`${options.stack}: no image "${options.image}"; the stack makes ${stack.images.map((i) => i.key).join(', ')}`);
  }

  const docker = await connectEngine();
  const platform = await choosePlatform(docker, image, options.platform, options.stack);
  const references = imageReferences(image, options.repository, options.tags);
  const what = `${options.stack} ${image.key} (${references[0]}, ${platform})`;
  const log = (line: string) => logger.info(`${image.key} | ${line}`);

  log(`building ${image.dockerfile} for ${platform}`);
  const contextDir = join(workspaceRoot, options.stack, image.context);
  const baseId = await buildImage(
    docker,
    what,
    {
      context: contextTar(contextDir, relative(contextDir, join(workspaceRoot, options.stack, image.dockerfile))),
      dockerfile: relative(contextDir, join(workspaceRoot, options.stack, image.dockerfile)),
      target: image.definition.target,
      buildArgs: buildArgsFor(image, platform),
      platform,
    },
    log,
  );

  log('adding the cnb user, CNB env and labels');
  const { imageId: finalId, packages, labels } = await decorate(docker, what, image, baseId, references, now, log);

  const inspected = (await inspectImage(docker, finalId))!;
  // The decorate layer touches only the cnb user, so the packages read before it still hold.
  const files = await readImageFiles(docker, finalId, ['/etc/passwd']);
  const problems = [...specProblems(image, inspected, files.get('/etc/passwd')?.[0]?.content), ...labelMismatches(labels, inspected.Config?.Labels)];
  if (problems.length) {
    await Promise.all(references.map((ref) => docker.getImage(ref).remove().catch(() => undefined)));
    throw new Error(`${what} breaks the CNB platform spec:\n  - ${problems.join('\n  - ')}`);
  }

  let archive: string | null = null;
  if (options.archive !== false) {
    log(`saving the image to ${join(options.outputPath, ARCHIVE_FILE)}`);
    await saveImage(docker, references[0], join(outputDir, ARCHIVE_FILE));
    archive = ARCHIVE_FILE;
  }
  const receipt: ImageReceipt = {
    receiptVersion: 1,
    stack: options.stack,
    image: image.key,
    kind: image.kind,
    variant: image.variant,
    stackId: image.stackId,
    references,
    imageId: finalId,
    digest: null,
    platform,
    labels: inspected.Config?.Labels ?? {},
    size: inspected.Size,
    layers: inspected.RootFS?.Layers?.length ?? 0,
    packages,
    archive,
  };
  await writeReceipt(outputDir, receipt);
  log(`built ${references.join(', ')} ${finalId.slice(7, 19)} (${(receipt.size / 1e6).toFixed(1)} MB, ${receipt.layers} layers, ${receipt.packages.length} packages)`);
  return receipt;
}

async function choosePlatform(docker: Docker, image: StackImage, requested: string | undefined, stack: string): Promise<string> {
  const platform = requested ?? (await enginePlatform(docker));
  if (!image.platforms.includes(platform)) {
    const file = join(stack, image.stackToml);
    throw new Error(`${file}: platforms: expected ${platform} (${requested ? 'the requested platform' : "the engine's platform"}), found ${JSON.stringify(image.platforms)}`);
  }
  return platform;
}

/**
 * Adds one layer with the cnb user in /etc/passwd and /etc/group and its home,
 * and sets User, env and labels, as `jam create-stack` does. Built as a
 * second, tiny Dockerfile FROM the first image, so it works on scratch images
 * too and the engine's build cache keeps reruns fast.
 */
async function decorate(
  docker: Docker,
  what: string,
  image: StackImage,
  baseId: string,
  references: string[],
  now: Date,
  log: (l: string) => void,
): Promise<{ imageId: string; packages: Package[]; labels: Record<string, string> }> {
  const files = await readImageFiles(docker, baseId, ['/etc/os-release', '/etc/passwd', '/etc/group', '/var/lib/dpkg/status', '/var/lib/dpkg/status.d']);
  const osRelease = files.get('/etc/os-release')?.[0];
  if (!osRelease) throw new Error(`${what}: the image has no /etc/os-release, so its distro cannot be named (io.buildpacks.base.distro.*)`);
  const packages = parseDpkgPackages([...(files.get('/var/lib/dpkg/status') ?? []), ...(files.get('/var/lib/dpkg/status.d') ?? [])]);
  const { uid, gid, shell } = image.definition;
  const users = withCnbUser(files.get('/etc/passwd')?.[0]?.content, files.get('/etc/group')?.[0]?.content, { uid, gid, shell });

  const baseInspect = (await inspectImage(docker, baseId))!;
  const hasPath = (baseInspect.Config?.Env ?? []).some((e) => e.startsWith('PATH='));
  const config = imageConfig(image, parseOsRelease(osRelease.content), packages, now, hasPath);

  const userLayer = await toBuffer(
    memoryTar([
      { name: 'etc', type: 'directory', mode: 0o755 },
      { name: 'etc/passwd', content: users.passwd, mode: 0o644 },
      { name: 'etc/group', content: users.group, mode: 0o644 },
      { name: 'home', type: 'directory', mode: 0o755 },
      { name: 'home/cnb', type: 'directory', mode: 0o755, uid, gid },
    ]),
  );
  const { dockerfile, apiLabels } = decorateDockerfile(baseId, 'cnb-user.tar', config.env, config.labels, config.user);
  const imageId = await buildImage(
    docker,
    what,
    {
      context: memoryTar([
        { name: 'Dockerfile', content: dockerfile },
        { name: 'cnb-user.tar', content: userLayer },
      ]),
      dockerfile: 'Dockerfile',
      labels: apiLabels,
      tags: references,
    },
    log,
  );
  return { imageId, packages, labels: config.labels };
}

