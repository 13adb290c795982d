import type { ProjectConfiguration, TargetConfiguration } from '@nx/devkit';
import { posix } from 'node:path';
import { type BuilderToml, effectiveBuildImage, effectiveRunImages, localBuildpackDirs } from '../builder/builder-toml';
import { builderPlatforms } from '../builder/platforms';
import type { CreateBuilderExecutorOptions } from '../executors/create-builder/schema';
import type { PublishExecutorOptions } from '../executors/publish/schema';
import { imageReferences, normalizeImageRef } from '../reference/image-reference';
import { type IndexedImage } from './image-index';
import type { NxCnbPluginOptions } from './options';

export const BUILDER_TOML = 'builder.toml';
export const BUILDPACKLESS_TOML = 'builder-buildpackless.toml';

/** What nx-cnb records on a builder project for createDependencies: the projects it uses and why. */
export interface BuilderUses {
  project: string;
  file: string;
}

export function builderProjectName(root: string): string {
  const base = posix.basename(root);
  return base.endsWith('builder') ? base : `${base}-builder`;
}

/**
 * A builder project: create-builder (and create-builder-buildpackless where
 * that file exists), each depending on the image targets of the stacks whose
 * images the builder names, with the stack receipts and the local buildpacks
 * as inputs.
 */
export function builderProject(
  root: string,
  name: string,
  builders: { config: string; builder: BuilderToml }[],
  images: Map<string, IndexedImage>,
  buildpackProjects: Map<string, string>,
  options: NxCnbPluginOptions,
): ProjectConfiguration {
  const targets: Record<string, TargetConfiguration> = {};
  const uses = new Map<string, BuilderUses>();
  const stackProjects = new Set<string>();
  for (const { config, builder } of builders) {
    const buildpackless = posix.basename(config) === BUILDPACKLESS_TOML;
    const target = buildpackless ? 'create-builder-buildpackless' : 'create-builder';
    const [reference] = imageReferences(buildpackless ? `${name}-buildpackless` : name, options.repository, options.tags);
    const named = [effectiveBuildImage(builder)?.image, ...effectiveRunImages(builder).map((r) => r.image)].filter((i): i is string => !!i);
    const made = named.map((ref) => images.get(normalizeImageRef(ref))).filter((i): i is IndexedImage => !!i);
    const buildpackDirs = localBuildpackDirs(root, builder);
    // The first file that names a project is the edge's source file.
    const use = (project: string) => uses.has(project) || uses.set(project, { project, file: config });
    made.forEach((image) => use(image.project));
    made.forEach((image) => stackProjects.add(image.project));
    buildpackDirs.map((dir) => buildpackProjects.get(dir)).forEach((project) => project && use(project));
    const executorOptions: CreateBuilderExecutorOptions = {
      config,
      builder: reference,
      outputPath: posix.join('dist', root, buildpackless ? 'builder-buildpackless' : 'builder'),
      images: [...new Map(made.map((i) => [i.outputPath, i.outputPath])).values()],
    };
    const platforms = builderPlatforms(builder);
    targets[target] = {
      executor: 'nx-cnb:create-builder',
      options: executorOptions,
      // pack builder create takes seconds once its images are in the engine; a
      // cached builder would need its own image archive, as large as the build image.
      cache: false,
      dependsOn: dedupe([
        ...made.map((i) => ({ projects: [i.project], target: i.target })),
        // A builder of several platforms is made from the registry: its stacks' images must be published first.
        ...(platforms.length > 1 ? made.map((i) => ({ projects: [i.project], target: 'publish' })) : []),
      ]),
      inputs: [
        `{workspaceRoot}/${config}`,
        ...buildpackDirs.map((dir) => `{workspaceRoot}/${dir}/**/*`),
        { dependentTasksOutputFiles: '**/receipt.json' },
        { env: 'NX_CNB_PACK' },
      ],
      outputs: [`{workspaceRoot}/${executorOptions.outputPath}`],
      metadata: {
        technologies: ['buildpacks', 'pack'],
        description:
          `Creates the ${buildpackless ? 'buildpack-less ' : ''}builder ${reference} with pack builder create from ${posix.basename(config)}` +
          (platforms.length > 1 ? `, in the registry, for ${platforms.join(', ')}` : ''),
        help: { command: `pack builder inspect ${reference}`, example: {} },
      },
    };
  }
  const created = builders.map(({ config }) => ({
    config,
    target: posix.basename(config) === BUILDPACKLESS_TOML ? 'create-builder-buildpackless' : 'create-builder',
  }));
  const publishOptions: PublishExecutorOptions = {
    receipts: created.map(({ target }) => (targets[target].options as CreateBuilderExecutorOptions).outputPath),
    builderConfig: created.find((c) => c.target === 'create-builder')?.config,
    images: [...new Set(created.flatMap(({ target }) => (targets[target].options as CreateBuilderExecutorOptions).images ?? []))],
    outputPath: posix.join('dist', root, 'publish'),
  };
  targets.publish = {
    executor: 'nx-cnb:publish',
    options: publishOptions,
    cache: false,
    // The run images a builder names must be in the registry before the builder that points at them.
    // --dryRun and --tags reach the stacks' publish too.
    dependsOn: [
      ...created.map(({ target }) => target),
      ...[...stackProjects].map((project) => ({ projects: [project], target: 'publish', params: 'forward' as const })),
    ],
    metadata: {
      technologies: ['buildpacks', 'pack'],
      description:
        'Pushes the builder (and its run-image mirrors) after the stacks it uses are published; --tags adds version tags, --dryRun shows what would be pushed',
    },
  };
  return {
    name,
    root,
    projectType: 'application',
    tags: ['type:builder'],
    targets,
    metadata: { 'nx-cnb': { uses: [...uses.values()] } },
  };
}

function dedupe<T>(items: T[]): T[] {
  return [...new Map(items.map((i) => [JSON.stringify(i), i])).values()];
}
