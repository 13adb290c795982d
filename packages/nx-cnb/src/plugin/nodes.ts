import { type CreateNodesContextV2, type CreateNodesResult, createNodesFromFiles, type CreateNodesV2, type ProjectConfiguration } from '@nx/devkit';
import { existsSync } from 'node:fs';
import { basename, dirname, join, posix } from 'node:path';
import type { BuilderToml } from '../builder/builder-toml';
import type { BuildpackDescriptor } from '../builder/buildpack-toml';
import { readBuilderFromDisk, readBuildpackFromDisk, readStackFromDisk } from '../workspace/workspace-files';
import { IMAGES_JSON } from '../stack/stack';
import { BUILDER_TOML, BUILDPACKLESS_TOML, builderProject } from './builder-nodes';
import { indexImages, stackProjectName } from './image-index';
import { checkPluginOptions, type NxCnbPluginOptions } from './options';
import { stackTargets } from './stack-nodes';

export const CONFIG_GLOB = '**/{images.json,stack.toml,builder.toml,buildpack.toml}';

/**
 * Infers projects from the files nx-cnb knows: a stack from each images.json
 * (and each stack.toml no images.json above it claims), a builder from each
 * builder.toml, a buildpack from each buildpack.toml. Stacks are read first
 * so builders can name the tasks that make their images.
 */
export const createNodesV2: CreateNodesV2<NxCnbPluginOptions> = [
  CONFIG_GLOB,
  async (files, options, context) => {
    const opts = options ?? {};
    checkPluginOptions(opts);
    const stacks = readEach(
      files.filter((f) => isStackFile(context.workspaceRoot, f)),
      (file) => readStackFromDisk(context.workspaceRoot, dirname(file)),
    );
    const buildpacks = readEach(
      files.filter((f) => basename(f) === 'buildpack.toml'),
      (file) => readBuildpackFromDisk(context.workspaceRoot, file),
    );
    const images = indexImages(
      [...stacks].flatMap(([file, stack]) => (stack instanceof Error ? [] : [{ root: dirname(file), name: stackProjectName(dirname(file)), stack }])),
      opts,
    );
    // Buildpack folder -> project name, for builder edges.
    const buildpackProjects = new Map(
      [...buildpacks].flatMap(([file, bp]) => (bp instanceof Error ? [] : [[dirname(file), buildpackProjectName(bp.buildpack.id)]])),
    );

    return createNodesFromFiles(
      (file: string, _o: unknown, ctx: CreateNodesContextV2): CreateNodesResult => {
        const root = dirname(file);
        switch (basename(file)) {
          case BUILDER_TOML:
            return projects(builderProject(root, readBuilders(ctx.workspaceRoot, root), images, buildpackProjects, opts));
          case 'buildpack.toml':
            return projects(buildpackProject(file, orThrow(buildpacks.get(file)!)));
          default: {
            const stack = stacks.get(file);
            if (!stack) return {};
            return projects({
              name: stackProjectName(root),
              root,
              projectType: 'library',
              tags: ['type:stack'],
              targets: stackTargets(root, orThrow(stack), opts),
            });
          }
        }
      },
      files,
      options,
      context,
    );
  },
];

function projects(project: ProjectConfiguration): CreateNodesResult {
  return { projects: { [project.root]: project } };
}

/** A stack file that defines a stack: an images.json, or a stack.toml that no images.json claims. */
function isStackFile(workspaceRoot: string, file: string): boolean {
  if (basename(file) === IMAGES_JSON) return true;
  if (basename(file) !== 'stack.toml') return false;
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    if (existsSync(join(workspaceRoot, dir, IMAGES_JSON))) return false;
    if (dir === '.' || dir === dirname(dir)) return true;
  }
}

/** Reads each file once, keeping what failed as the error to report where its project is inferred. */
function readEach<T>(files: string[], read: (file: string) => T): Map<string, T | Error> {
  return new Map(
    files.map((file): [string, T | Error] => {
      try {
        return [file, read(file)];
      } catch (e) {
        return [file, e as Error];
      }
    }),
  );
}

function orThrow<T>(value: T | Error): T {
  if (value instanceof Error) throw value;
  return value;
}

function readBuilders(workspaceRoot: string, root: string): { config: string; builder: BuilderToml }[] {
  return [BUILDER_TOML, BUILDPACKLESS_TOML]
    .map((name) => posix.join(root, name))
    .filter((config) => existsSync(join(workspaceRoot, config)))
    .map((config) => ({ config, builder: readBuilderFromDisk(workspaceRoot, config) }));
}

/** A local buildpack is a project of its own, named after its id, so builders get edges to it. */
function buildpackProject(file: string, descriptor: BuildpackDescriptor): ProjectConfiguration {
  return {
    name: buildpackProjectName(descriptor.buildpack.id),
    root: dirname(file),
    projectType: 'library',
    tags: ['type:buildpack'],
    targets: {},
    metadata: { description: `Buildpack ${descriptor.buildpack.id}@${descriptor.buildpack.version}`, technologies: ['buildpacks'] },
  };
}

export function buildpackProjectName(id: string): string {
  return id.replace(/[^A-Za-z0-9._-]+/g, '-');
}
