import { logger, type Tree } from '@nx/devkit';
import { ConfigError, optionError } from '../../errors';
import { posix } from 'node:path';
import { type BuilderToml, isLifecycleVersion, type ModuleRef, parseBuilderToml } from '../../builder/builder-toml';
import { type BuildpackDescriptor, parseBuildpackToml } from '../../builder/buildpack-toml';
import { renderBuilderToml } from '../../builder/render-builder-toml';
import { builderProjectName } from '../../plugin/builder-nodes';
import { type NxCnbPluginOptions, readPluginOptions } from '../../plugin/options';
import { imageReferences, isNameComponent, splitTag } from '../../reference/image-reference';
import { readStack, type Stack } from '../../stack/stack';
import { DISTROS } from '../stack/distros';
import versions from '../../versions.json';
import { listOption } from '../list-option';
import { checkDirectory } from '../workspace-tree';
import type { BuilderGeneratorSchema } from './schema';

// The lifecycle nx-cnb is tested with; pack downloads it from GitHub unless --lifecycleUri names a tarball.
export const LIFECYCLE_VERSION = versions.lifecycle;
const COMMAND = 'nx g nx-cnb:builder';

export async function builderGenerator(tree: Tree, schema: BuilderGeneratorSchema) {
  const fail = (option: string, expected: string, found: unknown): never => {
    throw optionError(COMMAND, option, expected, found);
  };
  if (!isNameComponent(schema.name)) fail('name', 'lowercase letters, digits, ".", "_" or "-"', schema.name);
  const directory = posix.normalize(schema.directory ?? posix.join('builders', schema.name)).replace(/\/+$/, '');
  if (directory.startsWith('..') || directory.startsWith('/')) fail('directory', 'a folder inside the workspace', schema.directory);
  for (const file of ['builder.toml', 'builder-buildpackless.toml']) {
    if (tree.exists(posix.join(directory, file)))
      throw new Error(`${posix.join(directory, file)} already exists; nx-cnb will not overwrite it. Choose another name or --directory.`);
  }
  if (schema.lifecycleUri && schema.lifecycleVersion)
    fail('lifecycleVersion', 'no version when --lifecycleUri is given (pack takes one or the other)', schema.lifecycleVersion);
  if (schema.lifecycleVersion !== undefined && !isLifecycleVersion(schema.lifecycleVersion)) {
    fail('lifecycleVersion', `a release of the lifecycle such as "${LIFECYCLE_VERSION}" (pack takes no "latest")`, schema.lifecycleVersion);
  }
  checkDirectory(tree, COMMAND, directory, schema.directory);

  const stackRoot = [schema.stack, posix.join('stacks', schema.stack ?? '')].find(
    (dir) => dir && (tree.exists(posix.join(dir, 'images.json')) || tree.exists(posix.join(dir, 'stack.toml'))),
  );
  if (!stackRoot) fail('stack', 'a stack project under stacks/ or a folder with images.json or stack.toml', schema.stack);
  const stack = readStack(stackRoot!, { read: (p) => tree.read(posix.join(stackRoot!, p), 'utf8') ?? undefined });
  const plugin = readPluginOptions(tree);

  const buildpacks = listOption(schema.buildpacks).map((dir) => {
    const file = posix.join(dir, 'buildpack.toml');
    const text = tree.read(file, 'utf8');
    if (text === null) fail('buildpacks', 'folders holding a buildpack.toml', dir);
    return { dir, descriptor: parseBuildpackToml(file, text!) };
  });
  const mirrors = listOption(schema.runImageMirrors);

  const builder: BuilderToml = {
    file: posix.join(directory, 'builder.toml'),
    description:
      schema.description ??
      `Builder on the ${posix.basename(stackRoot!)} stack: one build image, ${stack.images.filter((i) => i.kind === 'run').length} run images`,
    buildpacks: buildpacks.map(({ dir, descriptor }) => ({
      id: descriptor.buildpack.id,
      version: descriptor.buildpack.version,
      uri: relativeUri(directory, dir),
    })),
    extensions: [],
    order: order(buildpacks.map((b) => b.descriptor)),
    orderExtensions: [],
    build: { image: reference(stack, 'build', plugin), env: [] },
    run: {
      images: runImages(stack).map((image) => {
        const ref = imageReferences(image.name, plugin.repository, plugin.tags)[0];
        return { image: ref, mirrors: mirrors.flatMap((m) => imageReferences(image.name, m, [splitTag(ref)[1]])) };
      }),
    },
    targets: targets(stack),
    lifecycle: lifecycle(schema),
  };
  const buildpackless: BuilderToml = {
    ...builder,
    file: posix.join(directory, 'builder-buildpackless.toml'),
    description: `${builder.description}, without buildpacks`,
    buildpacks: [],
    order: [],
  };
  // What the generator writes must pass the checks its plugin makes.
  for (const toml of [builder, buildpackless]) {
    const text = renderBuilderToml(toml);
    parseBuilderToml(toml.file, text);
    tree.write(toml.file, text);
  }

  return () => logger.info(`Builder written to ${directory}. Create it with: nx run ${builderProjectName(directory)}:create-builder`);
}

export default builderGenerator;

function runImages(stack: Stack) {
  // The base variant is the default run image, as in Paketo's builders.
  const runs = stack.images.filter((i) => i.kind === 'run');
  return [...runs.filter((i) => i.variant === 'base'), ...runs.filter((i) => i.variant !== 'base')];
}

function reference(stack: Stack, kind: 'build', plugin: NxCnbPluginOptions): string {
  const image = stack.images.find((i) => i.kind === kind);
  if (!image) throw new ConfigError('nx g nx-cnb:builder', '--stack', 'a stack with a build image', 'one with only run images');
  return imageReferences(image.name, plugin.repository, plugin.tags)[0];
}

/** Composites first and required; plain buildpacks that no composite includes run after, optional. */
function order(descriptors: BuildpackDescriptor[]): BuilderToml['order'] {
  if (!descriptors.length) return [];
  const reached = new Set(descriptors.flatMap((d) => d.order.flatMap((o) => o.group.map((g) => g.id))));
  const top = descriptors.filter((d) => !reached.has(d.buildpack.id));
  const group: ModuleRef[] = [
    ...top.filter((d) => d.order.length).map((d) => ({ id: d.buildpack.id!, version: d.buildpack.version })),
    ...top.filter((d) => !d.order.length).map((d) => ({ id: d.buildpack.id!, version: d.buildpack.version, optional: true })),
  ];
  return [{ group }];
}

function targets(stack: Stack): BuilderToml['targets'] {
  const build = stack.images.find((i) => i.kind === 'build')!;
  const distro = Object.values(DISTROS).find((d) => build.name.startsWith(`${d.osName}-${d.codename}`));
  return build.platforms.map((platform) => {
    const [os, arch, variant] = platform.split('/');
    return { os, arch, ...(variant ? { variant } : {}), distros: distro ? [{ name: distro.osName, version: distro.version }] : [] };
  });
}

function lifecycle(schema: BuilderGeneratorSchema): BuilderToml['lifecycle'] {
  if (schema.lifecycleUri) return { uri: schema.lifecycleUri };
  return { version: schema.lifecycleVersion ?? LIFECYCLE_VERSION };
}

function relativeUri(from: string, to: string): string {
  const relative = posix.relative(from, to);
  return relative.startsWith('.') ? relative : `./${relative}`;
}
