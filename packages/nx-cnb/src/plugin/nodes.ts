import { CreateNodesContextV2, CreateNodesResult, createNodesFromFiles, CreateNodesV2, ProjectConfiguration } from '@nx/devkit';
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, posix } from 'node:path';
import { BuilderToml, parseBuilderToml } from '../builder/builder-toml';
import { parseBuildpackToml } from '../builder/buildpack-toml';
import { readStackFromDisk } from '../stack/read-stack-from-disk';
import { IMAGES_JSON, Stack } from '../stack/stack';
import { BUILDER_TOML, BUILDPACKLESS_TOML, builderProject } from './builder-nodes';
import { indexImages, stackProjectName } from './image-index';
import { checkPluginOptions, NxCnbPluginOptions } from './options';
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
    const stackFiles = files.filter((f) => isStackFile(context.workspaceRoot, f));
    const stacks = new Map<string, Stack>();
    const stackErrors = new Map<string, Error>();
    for (const file of stackFiles) {
      try {
        stacks.set(dirname(file), readStackFromDisk(context.workspaceRoot, dirname(file)));
      } catch (e) {
        stackErrors.set(file, e as Error);
      }
    }
    const images = indexImages([...stacks].map(([root, stack]) => ({ root, name: stackProjectName(root), stack })), opts);
    const buildpackProjects = buildpackProjectNames(context.workspaceRoot, files.filter((f) => basename(f) === 'buildpack.toml'));

    return createNodesFromFiles(
      (file: string, _o: unknown, ctx: CreateNodesContextV2): CreateNodesResult => {
        const root = dirname(file);
        switch (basename(file)) {
          case BUILDER_TOML:
            return projects(builderProject(root, readBuilders(ctx.workspaceRoot, root), images, buildpackProjects, opts));
          case 'buildpack.toml':
            return projects(buildpackProject(ctx.workspaceRoot, file));
          default: {
            const error = stackErrors.get(file);
            if (error) throw error;
            const stack = stacks.get(root);
            if (!stack) return {};
            return projects({ name: stackProjectName(root), root, projectType: 'library', tags: ['type:stack'], targets: stackTargets(root, stack, opts) });
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

function readBuilders(workspaceRoot: string, root: string): { config: string; builder: BuilderToml }[] {
  return [BUILDER_TOML, BUILDPACKLESS_TOML]
    .map((name) => posix.join(root, name))
    .filter((config) => existsSync(join(workspaceRoot, config)))
    .map((config) => ({ config, builder: parseBuilderToml(config, readFileSync(join(workspaceRoot, config), 'utf8')) }));
}

/** A local buildpack is a project of its own, named after its id, so builders get edges to it. */
function buildpackProject(workspaceRoot: string, file: string): ProjectConfiguration {
  const descriptor = parseBuildpackToml(file, readFileSync(join(workspaceRoot, file), 'utf8'));
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

/** Buildpack folder -> project name, for builder edges. */
function buildpackProjectNames(workspaceRoot: string, files: string[]): Map<string, string> {
  const names = new Map<string, string>();
  for (const file of files) {
    try {
      names.set(dirname(file), buildpackProjectName(parseBuildpackToml(file, readFileSync(join(workspaceRoot, file), 'utf8')).buildpack.id));
    } catch {
      // Reported where the buildpack's own project is inferred.
    }
  }
  return names;
}
