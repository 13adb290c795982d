import { logger } from '@nx/devkit';
import { splitTag } from '../../engine/build';
import { checkNaming } from '../../plugin/options';
import { executor } from '../executor';
import type Docker from 'dockerode';
import { promises as fs } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { BuilderToml, effectiveBuildImage, effectiveRunImages, parseBuilderToml } from '../../builder/builder-toml';
import { BuildpackDescriptor, parseBuildpackToml } from '../../builder/buildpack-toml';
import { checkBuildpacks, checkImages, estimateLayers, flattenGroups, KnownImage, MAX_LAYERS, normalizeImageRef } from '../../builder/checks';
import { ConfigError, ConfigErrors } from '../../config/config-error';
import { inspectImage } from '../../engine/archive';
import { connectEngine } from '../../engine/engine';
import { ensureImage } from '../../engine/ensure-image';
import { builderCreate, findPack } from '../../pack/pack';
import { localBuildpackDirs } from '../../plugin/builder-nodes';
import { BuilderReceipt, ImageReceipt, prepareOutputs, readReceipt, writeReceipt } from '../../receipt/receipt';
import type { CreateBuilderExecutorOptions } from './schema';

export default executor(createBuilder);

export async function createBuilder(options: CreateBuilderExecutorOptions, workspaceRoot: string): Promise<BuilderReceipt> {
  checkBuilderOptions(options);
  const outputDir = join(workspaceRoot, options.outputPath);
  await prepareOutputs(outputDir);
  const log = (line: string) => logger.info(`${posix.basename(options.outputPath)} | ${line}`);

  // Everything that can be checked without pack is checked first.
  const builder = await readBuilder(workspaceRoot, options.config);
  const buildpacks = await readLocalBuildpacks(workspaceRoot, options.config, builder);
  const pack = await findPack();
  const docker = await connectEngine();

  const known = new Map<string, KnownImage>();
  for (const outputPath of options.images ?? []) {
    const receipt = await readReceipt(join(workspaceRoot, outputPath));
    if (!receipt) throw new Error(`${outputPath}: no receipt.json; build the stack image first (nx run-many -t build-image)`);
    const outcome = await ensureImage(docker, receipt, join(workspaceRoot, outputPath));
    if (outcome !== 'present') log(`${receipt.references[0]}: ${outcome === 'loaded' ? 'loaded from the saved image' : 'tag restored'}`);
    for (const reference of receipt.references) known.set(normalizeImageRef(reference), fromReceipt(receipt));
  }
  const named = [effectiveBuildImage(builder)?.image, ...effectiveRunImages(builder).map((r) => r.image)].filter((i): i is string => !!i);
  for (const reference of named) {
    if (known.has(normalizeImageRef(reference))) continue;
    const inspected = await inspectImage(docker, reference);
    if (inspected) known.set(normalizeImageRef(reference), fromInspect(inspected));
  }

  const problems = checkImages(builder, known);
  if (problems.length) throw new ConfigErrors(problems);
  const buildRef = effectiveBuildImage(builder)!.image;
  const runRefs = effectiveRunImages(builder).map((r) => r.image);
  const bpProblems = checkBuildpacks(builder, buildpacks, known.get(normalizeImageRef(buildRef))!, runRefs.map((r) => known.get(normalizeImageRef(r))!));
  if (bpProblems.length) throw new ConfigErrors(bpProblems);

  const flatten = options.flatten === 'none' ? [] : Array.isArray(options.flatten) ? options.flatten : flattenGroups(buildpacks);
  const buildImageLayers = (await inspectImage(docker, buildRef))?.RootFS?.Layers?.length ?? 0;
  const estimatedLayers = estimateLayers(builder, { buildImageLayers, buildpacks: builder.buildpacks.length, extensions: builder.extensions.length, flattenGroups: flatten });
  if (estimatedLayers > MAX_LAYERS) {
    const alone = builder.buildpacks.filter((bp) => !flatten.some((g) => g.split(',').includes(`${bp.id}@${bp.version}`))).length;
    throw new Error(
      `${options.config}: the builder would have ${estimatedLayers} layers, over Docker's limit of ${MAX_LAYERS} ` +
        `(${buildImageLayers} from the build image, ${alone} buildpacks in layers of their own, ${flatten.length} flattened groups). ` +
        `Flatten more buildpacks together: set the create-builder option "flatten" to "composites" or to groups "id@version,id@version".`,
    );
  }

  log(`pack ${pack.version}: creating ${options.builder} (${flatten.length} flattened group${flatten.length === 1 ? '' : 's'}, ~${estimatedLayers} layers)`);
  await builderCreate(
    pack.path,
    { reference: options.builder, config: join(workspaceRoot, options.config), flatten, pullPolicy: options.pullPolicy ?? 'if-not-present', publish: options.publish },
    log,
    dirname(join(workspaceRoot, options.config)),
  );

  const inspected = options.publish ? undefined : await inspectImage(docker, options.builder);
  const receipt: BuilderReceipt = {
    receiptVersion: 1,
    config: options.config,
    builder: options.builder,
    imageId: inspected?.Id ?? '',
    packVersion: pack.version,
    buildImage: buildRef,
    runImages: runRefs,
    buildpacks: builder.buildpacks.map((bp) => `${bp.id}@${bp.version}`),
    flatten,
    layers: inspected?.RootFS?.Layers?.length ?? 0,
    estimatedLayers,
    size: inspected?.Size ?? 0,
    labels: inspected?.Config?.Labels ?? {},
  };
  await writeReceipt(outputDir, receipt);
  log(`created ${options.builder} (${receipt.layers} layers, ${(receipt.size / 1e6).toFixed(1)} MB)`);
  return receipt;
}

export async function readBuilder(workspaceRoot: string, config: string): Promise<BuilderToml> {
  const text = await fs.readFile(join(workspaceRoot, config), 'utf8').catch(() => undefined);
  if (text === undefined) throw new ConfigError(config, '(file)', 'a builder.toml', 'no such file');
  return parseBuilderToml(config, text);
}

/** The buildpack.toml of every buildpack the builder takes from a local folder. */
async function readLocalBuildpacks(workspaceRoot: string, config: string, builder: BuilderToml): Promise<BuildpackDescriptor[]> {
  const root = posix.dirname(config);
  const dirs = localBuildpackDirs(root, builder);
  return Promise.all(
    dirs.map(async (dir) => {
      const file = posix.join(dir, 'buildpack.toml');
      const text = await fs.readFile(join(workspaceRoot, file), 'utf8').catch(() => undefined);
      if (text === undefined) {
        const index = builder.buildpacks.findIndex((bp) => bp.uri && posix.normalize(posix.join(root, bp.uri)) === dir);
        throw new ConfigError(config, `buildpacks[${index}].uri`, 'a folder holding a buildpack.toml', `${JSON.stringify(dir)} without one`);
      }
      return parseBuildpackToml(file, text);
    }),
  );
}

function fromReceipt(receipt: ImageReceipt): KnownImage {
  return fromLabels(receipt.labels, receipt.platform.split('/')[0], receipt.platform.split('/')[1], 'stack');
}

function fromInspect(inspected: Docker.ImageInspectInfo): KnownImage {
  return fromLabels(inspected.Config?.Labels ?? {}, inspected.Os, inspected.Architecture, 'engine');
}

function fromLabels(labels: Record<string, string>, os: string | undefined, arch: string | undefined, source: KnownImage['source']): KnownImage {
  let mixins: string[] | undefined;
  try {
    mixins = labels['io.buildpacks.stack.mixins'] ? JSON.parse(labels['io.buildpacks.stack.mixins']) : undefined;
  } catch {
    mixins = undefined;
  }
  const name = labels['io.buildpacks.base.distro.name'] ?? labels['io.buildpacks.stack.distro.name'];
  const version = labels['io.buildpacks.base.distro.version'] ?? labels['io.buildpacks.stack.distro.version'];
  return { stackId: labels['io.buildpacks.stack.id'], mixins, os, arch, distro: name && version ? { name, version } : undefined, source };
}

// "id@version,id@version": what pack's --flatten takes.
const FLATTEN_GROUP = /^[A-Za-z0-9._/-]+@[A-Za-z0-9._+-]+(,[A-Za-z0-9._/-]+@[A-Za-z0-9._+-]+)*$/;

function checkBuilderOptions(options: CreateBuilderExecutorOptions): void {
  const [repository, tag] = splitTag(options.builder);
  checkNaming('nx-cnb:create-builder', 'options.builder ', repository, [tag]);
  if (Array.isArray(options.flatten)) {
    options.flatten.forEach((group, i) => {
      if (!FLATTEN_GROUP.test(group)) throw new ConfigError('nx-cnb:create-builder', `options.flatten[${i}]`, 'a group "id@version,id@version"', JSON.stringify(group));
    });
  }
}
