import { logger, type Tree } from '@nx/devkit';
import { ConfigError, optionError } from '../../errors';
import { posix } from 'node:path';
import { type BuilderToml, type ModuleRef } from '../../builder/builder-toml';
import { type BuildpackDescriptor, parseBuildpackToml } from '../../builder/buildpack-toml';
import { renderBuilderToml } from '../../builder/render-builder-toml';
import { type NxCnbPluginOptions, readPluginOptions } from '../../plugin/options';
import { imageReferences, isNameComponent, splitTag } from '../../reference/image-reference';
import { readStack, type Stack } from '../../stack/stack';
import { DISTROS } from '../stack/distros';
import versions from '../../versions.json';
import { listOption } from '../list-option';
import type { BuilderGeneratorSchema } from './schema';

// The lifecycle tools/lifecycle.sh builds; a builder points at it when it exists, since pack cannot download one offline.
export const LIFECYCLE_VERSION = versions.lifecycle;
const LIFECYCLE_TARBALL = `.cache/tools/lifecycle-${LIFECYCLE_VERSION}/lifecycle-v${LIFECYCLE_VERSION}+linux.amd64.tgz`;

export async function builderGenerator(tree: Tree, schema: BuilderGeneratorSchema) {
  const fail = (option: string, expected: string, found: unknown): never => {
    throw optionError('nx g nx-cnb:builder', option, expected, found);
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
    lifecycle: lifecycle(tree, directory, schema),
  };
  const buildpackless: BuilderToml = {
    ...builder,
    file: posix.join(directory, 'builder-buildpackless.toml'),
    description: `${builder.description}, without buildpacks`,
    buildpacks: [],
    order: [],
  };
  tree.write(builder.file, renderBuilderToml(builder));
  tree.write(buildpackless.file, renderBuilderToml(buildpackless));

  return () => logger.info(`Builder written to ${directory}. Create it with: nx run ${posix.basename(directory)}-builder:create-builder`);
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

function lifecycle(tree: Tree, directory: string, schema: BuilderGeneratorSchema): BuilderToml['lifecycle'] {
  if (schema.lifecycleUri) return { uri: schema.lifecycleUri };
  if (schema.lifecycleVersion) return { version: schema.lifecycleVersion };
  if (tree.exists(LIFECYCLE_TARBALL)) return { uri: relativeUri(directory, LIFECYCLE_TARBALL) };
  return { version: LIFECYCLE_VERSION };
}

function relativeUri(from: string, to: string): string {
  const relative = posix.relative(from, to);
  return relative.startsWith('.') ? relative : `./${relative}`;
}
