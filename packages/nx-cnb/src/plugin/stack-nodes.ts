import type { TargetConfiguration } from '@nx/devkit';
import { posix } from 'node:path';
import type { BuildImageExecutorOptions } from '../executors/build-image/schema';
import type { CheckUpdatesExecutorOptions } from '../executors/check-updates/schema';
import type { DiffExecutorOptions } from '../executors/diff/schema';
import type { EnsureImagesExecutorOptions } from '../executors/ensure-images/schema';
import type { ReleaseNotesExecutorOptions } from '../executors/release-notes/schema';
import type { PublishExecutorOptions } from '../executors/publish/schema';
import { imageReferences } from '../reference/image-reference';
import { buildIdentity, imageSourcePaths } from '../workspace/image-sources';
import { PACKAGE_LOCK_FILE } from '../release/package-lock';
import { mixinPair, type Stack, type StackImage } from '../stack/stack';
import { IMAGE_TARGET_PREFIX, type NxCnbPluginOptions } from './options';

/** Where an image's receipt and saved image go, relative to the workspace. */
export function imageOutputPath(root: string, image: Pick<StackImage, 'key'>): string {
  return posix.join('dist', root, image.key);
}

/**
 * The targets of a stack project: one cached target per image, and an
 * aggregate that depends on them all and makes sure the engine holds every
 * image, even when the image targets were cache hits.
 */
export function stackTargets(
  root: string,
  stack: Stack,
  options: NxCnbPluginOptions = {},
  project = posix.basename(root),
): Record<string, TargetConfiguration> {
  const targets: Record<string, TargetConfiguration> = {};
  const builds = new Map<string, BuildImageExecutorOptions>();
  for (const image of stack.images) {
    const buildOptions: BuildImageExecutorOptions = {
      stack: root,
      image: image.key,
      outputPath: imageOutputPath(root, image),
      ...(options.repository ? { repository: options.repository } : {}),
      ...(options.tags ? { tags: options.tags } : {}),
      ...(options.archive === false || options.cacheRepository ? { archive: false } : {}),
      ...(options.cacheRepository ? { cacheRepository: options.cacheRepository } : {}),
    };
    // A run image that derives its mixins reads the build image's packages from that task's receipt.
    const pairBuild = image.deriveMixins && image.kind === 'run' ? mixinPair(stack, image) : undefined;
    if (pairBuild) buildOptions.mixinsFrom = imageOutputPath(root, pairBuild);
    builds.set(image.key, buildOptions);
    const [reference] = imageReferences(image.name, options.repository, options.tags);
    targets[`${IMAGE_TARGET_PREFIX}${image.key}`] = {
      executor: 'nx-cnb:build-image',
      options: buildOptions,
      cache: true,
      ...(pairBuild ? { dependsOn: [`${IMAGE_TARGET_PREFIX}${pairBuild.key}`] } : {}),
      // The release date comes from SOURCE_DATE_EPOCH when set, and the builder (BuildKit or classic) shapes the image.
      inputs: [
        ...imageInputs(root, stack, image),
        ...(pairBuild ? [{ dependentTasksOutputFiles: '**/receipt.json' }] : []),
        { env: 'SOURCE_DATE_EPOCH' },
        { env: 'NX_CNB_BUILDER' },
      ],
      outputs: [`{workspaceRoot}/${buildOptions.outputPath}`],
      metadata: {
        technologies: ['docker', 'buildpacks'],
        description: `Builds the ${image.variant} ${image.kind} image ${reference} from ${image.dockerfile} for ${image.platforms.join(', ')}`,
      },
    };
  }
  const aggregate = options.buildImageTargetName ?? 'build-image';
  const ensureOptions: EnsureImagesExecutorOptions = { outputPaths: stack.images.map((i) => imageOutputPath(root, i)) };
  targets[aggregate] = {
    executor: 'nx-cnb:ensure-images',
    options: ensureOptions,
    // Never cached: it is cheap, and it is what puts images back into an engine that lacks them.
    cache: false,
    dependsOn: stack.images.map((i) => `${IMAGE_TARGET_PREFIX}${i.key}`),
    metadata: {
      technologies: ['docker', 'buildpacks'],
      description: `Builds every image of the stack (${stack.images.map((i) => i.key).join(', ')}) and makes sure the engine holds them`,
    },
  };
  const publishOptions: PublishExecutorOptions = {
    receipts: ensureOptions.outputPaths,
    outputPath: posix.join('dist', root, 'publish'),
    releasePath: posix.join('dist', root, 'release'),
  };
  targets.publish = {
    executor: 'nx-cnb:publish',
    options: publishOptions,
    cache: false,
    dependsOn: [aggregate],
    metadata: {
      technologies: ['docker', 'buildpacks'],
      description:
        'Pushes every image of the stack to its registry (the plugin option "repository"); --tags adds version tags, --dryRun shows what would be pushed',
    },
  };
  Object.assign(targets, releaseTargets(project, root, stack, builds, publishOptions.outputPath));
  return targets;
}

/**
 * The release loop of a stack: diff and release-notes compare the build's
 * receipts with a baseline. They have no Nx dependency on the image targets:
 * they run those whose receipts no longer match the stack's files themselves
 * (receipt/compare.ts), as a cache hit of every image would copy its saved
 * images out of the cache each time; check-updates asks the mirror for newer
 * packages and, with --write, updates the lock the image targets take as input.
 */
function releaseTargets(
  project: string,
  root: string,
  stack: Stack,
  builds: Map<string, BuildImageExecutorOptions>,
  publishPath: string,
): Record<string, TargetConfiguration> {
  const images = stack.images.map((i) => ({ key: i.key, outputPath: imageOutputPath(root, i) }));
  // What each image is built from, so diff and release-notes tell whether its receipt still holds without running it.
  const releaseImages = stack.images.map((i) => ({
    key: i.key,
    outputPath: imageOutputPath(root, i),
    sources: { paths: imageSourcePaths(root, i), build: buildIdentity(builds.get(i.key)!) },
  }));
  const release = { project, stack: root, images: releaseImages, publishPath };
  const diff: DiffExecutorOptions = { ...release, outputPath: posix.join('dist', root, 'diff') };
  const stackFiles = [...new Set(stack.images.flatMap((i) => [i.dockerfile, i.stackToml]).concat(stack.configFile))].map((f) => posix.join(root, f));
  const notes: ReleaseNotesExecutorOptions = { ...release, stackFiles, outputPath: posix.join('dist', root, 'release') };
  const updates: CheckUpdatesExecutorOptions = { project, stack: root, images, outputPath: posix.join('dist', root, 'updates') };
  const meta = (description: string) => ({ technologies: ['docker', 'buildpacks'], description });
  return {
    diff: {
      executor: 'nx-cnb:diff',
      options: diff,
      cache: false,
      metadata: meta(
        'Package changes of every image against a baseline (--baseline=published|registry|ref:<git ref>|dir:<folder>), in the terminal and as Markdown; a removed package fails unless --allowRemovals',
      ),
    },
    'release-notes': {
      executor: 'nx-cnb:release-notes',
      options: notes,
      cache: false,
      metadata: meta(
        'Release notes (Markdown): version (--version, or the next patch), images, package changes and Dockerfile/stack.toml changes since the baseline',
      ),
    },
    'check-updates': {
      executor: 'nx-cnb:check-updates',
      options: updates,
      cache: false,
      metadata: meta(`Asks the distro's package mirror which installed packages have newer versions; --write records them in ${PACKAGE_LOCK_FILE}`),
    },
  };
}

/**
 * What an image is built from: its context folder (minus the other images'
 * Dockerfiles there), its stack.toml and the stack's images.json. A change
 * to one Dockerfile reaches its image and nothing else. The stack's package
 * lock is an input of every image.
 */
export function imageInputs(root: string, stack: Stack, image: StackImage): string[] {
  // A build image that derives its mixins builds its pair's run Dockerfile too.
  const pair = image.deriveMixins && image.kind === 'build' ? mixinPair(stack, image) : undefined;
  const built = pair ? [image, pair] : [image];
  const inContext = (path: string) => built.some((b) => b.context === '.' || path.startsWith(`${b.context}/`));
  const others = stack.images.filter((i) => built.every((b) => i.dockerfile !== b.dockerfile) && inContext(i.dockerfile)).map((i) => i.dockerfile);
  const inputs = [
    ...built.map((b) => inputPath(root, b.context, '**/*')),
    ...[...new Set(others)].map((d) => `!${inputPath(root, d)}`),
    ...built.map((b) => inputPath(root, b.stackToml)),
  ];
  if (stack.layout === 'images.json') inputs.push('{projectRoot}/images.json');
  // A lock change (check-updates --write) means the mirror has new versions: the stack's images rebuild to take them.
  inputs.push(`{projectRoot}/${PACKAGE_LOCK_FILE}`);
  return [...new Set(inputs)];
}

/** An input for a path relative to the stack root, which may lie outside it (a config_dir found above images.json). */
function inputPath(root: string, path: string, glob?: string): string {
  const inside = path === '.' ? '' : path;
  const full = posix.join(root, inside, glob ?? '');
  if (!inside.startsWith('..')) return ['{projectRoot}', inside, glob].filter(Boolean).join('/');
  return `{workspaceRoot}/${full}`;
}
