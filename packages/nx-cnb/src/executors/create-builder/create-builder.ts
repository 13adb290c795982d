import { existsSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { type BuilderToml, effectiveBuildImage, effectiveRunImages, moduleName } from '../../builder/builder-toml';
import type { BuildpackDescriptor } from '../../builder/buildpack-toml';
import {
  checkBuildpacks,
  checkImages,
  estimateLayers,
  contentsProblems,
  flattenOptionProblem,
  type KnownImage,
  knownImage,
  layerLimitProblem,
  type LayerCounts,
  resolveFlatten,
} from '../../builder/checks';
import { builderPlatforms, lifecycleFor, platformBuilderToml } from '../../builder/platforms';
import { renderBuilderToml } from '../../builder/render-builder-toml';
import type { Engine, Log } from '../../engine/engine';
import { ENSURE_OUTCOME_WORDS, ensureImage } from '../../engine/ensure-image';
import { ConfigError, ConfigErrors, ExpectedError, step } from '../../errors';
import { indexPlatforms, isIndexMediaType } from '../../oci/image-index';
import { parsePlatform, platformReference, platformSuffix } from '../../oci/platform';
import type { PullPolicy } from '../../pack/args';
import type { Pack } from '../../pack/pack';
import { type BuilderReceipt, localPlatform, prepareOutputs, readReceipt, writeFileAtomic, writeReceipt } from '../../receipt/receipt';
import { checkNaming, DOCKER_HUB, normalizeImageRef, parseImageReference, registryHost, splitTag } from '../../reference/image-reference';
import { registryAuth } from '../../engine/registry-auth';
import { putIndex, type Registry } from '../../registry/registry-client';
import { builderLifecycleApis, missingLocalFiles } from '../../workspace/lifecycle-file';
import { readBuilderFromDisk, readLocalBuildpacks } from '../../workspace/workspace-files';
import { executor, type Io } from '../executor';
import type { CreateBuilderExecutorOptions } from './schema';

export default executor(createBuilder);

/** What both ways of creating a builder share. */
interface BuilderCreation {
  options: CreateBuilderExecutorOptions;
  builder: BuilderToml;
  pack: Pack;
  engine: Engine;
  registry: Registry;
  /** The builder.toml, absolute. */
  config: string;
  outputDir: string;
  flatten: string[];
  log: Log;
}

/**
 * Creates a builder with `pack builder create`: reads and checks builder.toml
 * and its local buildpacks, makes sure the engine holds every stack image it
 * names, checks the builder against those images the way pack would (and a
 * few things pack finds only later), then runs pack and writes a receipt.
 * A builder whose [[targets]] name several platforms is created in the
 * registry, once per platform, under one index.
 */
export async function createBuilder(options: CreateBuilderExecutorOptions, io: Io): Promise<BuilderReceipt> {
  checkOptions(options);
  const outputDir = join(io.workspaceRoot, options.outputPath);
  await prepareOutputs(outputDir);
  const log: Log = (line) => io.logger.info(`${posix.basename(options.outputPath)} | ${line}`);

  // Everything that can be checked without pack or the engine is checked first.
  const builder = readBuilderFromDisk(io.workspaceRoot, options.config);
  const buildpacks = readLocalBuildpacks(io.workspaceRoot, options.config, builder);
  buildpacks.flatMap((bp) => bp.warnings).forEach((warning) => io.logger.warn(warning));
  const lifecycle = await builderLifecycleApis(io.workspaceRoot, builder);
  const contents = [...missingLocalFiles(io.workspaceRoot, builder), ...contentsProblems(builder, buildpacks, lifecycle)];
  if (contents.length) throw new ConfigErrors(contents);
  const pack = await io.pack();
  const engine = await io.engine();

  const pullPolicy = options.pullPolicy ?? 'if-not-present';
  const known = await step('making sure the engine holds the images', () =>
    knownImages(engine, io.workspaceRoot, options.images ?? [], builder, pullPolicy, log),
  );
  const buildRef = effectiveBuildImage(builder)!.image;
  const runRefs = effectiveRunImages(builder).map((r) => r.image);
  checkAgainstImages(builder, buildpacks, known, buildRef, runRefs);

  const flatten = resolveFlatten(options.flatten, buildpacks);
  const counts: LayerCounts = {
    buildImageLayers: (await engine.inspect(buildRef))?.RootFS?.Layers?.length ?? 0,
    buildpacks: builder.buildpacks.length,
    extensions: builder.extensions.length,
    flattenGroups: flatten,
  };
  const tooMany = layerLimitProblem(builder, counts);
  if (tooMany) throw new ExpectedError(tooMany);
  const estimatedLayers = estimateLayers(builder, counts);

  const creation: BuilderCreation = {
    options,
    builder,
    pack,
    engine,
    registry: io.registry,
    config: join(io.workspaceRoot, options.config),
    outputDir,
    flatten,
    log,
  };
  const platforms = builderPlatforms(builder);
  log(
    `pack ${pack.version}: creating ${options.builder}${platforms.length > 1 ? ` for ${platforms.join(', ')}` : ''} ` +
      `(${flatten.length} flattened group${flatten.length === 1 ? '' : 's'}, ~${estimatedLayers} layers)`,
  );
  const created = platforms.length > 1 ? await createPerPlatform(creation, platforms) : await createOne(creation);

  const receipt: BuilderReceipt = {
    receiptVersion: 2,
    config: options.config,
    builder: options.builder,
    ...created,
    packVersion: pack.version,
    buildImage: buildRef,
    runImages: runRefs,
    buildpacks: builder.buildpacks.map(moduleName),
    flatten,
    estimatedLayers,
  };
  await writeReceipt(outputDir, receipt);
  const where = receipt.imageId ? `${receipt.layers} layers, ${(receipt.size / 1e6).toFixed(1)} MB` : `in the registry, ${receipt.digest}`;
  log(`created ${options.builder} for ${created.platforms.map((p) => p.platform).join(', ')} (${where})`);
  return receipt;
}

type Created = Pick<BuilderReceipt, 'imageId' | 'digest' | 'platforms' | 'layers' | 'size' | 'labels'>;

/** One platform: pack creates the builder in the engine (or, with publish, in the registry). */
async function createOne(c: BuilderCreation): Promise<Created> {
  const { options } = c;
  await c.pack.builderCreate(
    { reference: options.builder, config: c.config, flatten: c.flatten, pullPolicy: options.pullPolicy ?? 'if-not-present', publish: options.publish },
    c.log,
    dirname(c.config),
  );
  const inspected = options.publish ? undefined : await c.engine.inspect(options.builder);
  const platform = inspected ? `${inspected.Os}/${inspected.Architecture}` : (builderPlatforms(c.builder)[0] ?? (await c.engine.platform()));
  const digest = options.publish ? ((await c.registry.getManifest(options.builder))?.digest ?? null) : null;
  return {
    imageId: inspected?.Id ?? '',
    digest,
    platforms: [{ platform, reference: options.builder, digest }],
    layers: inspected?.RootFS?.Layers?.length ?? 0,
    size: inspected?.Size ?? 0,
    labels: inspected?.Config?.Labels ?? {},
  };
}

/**
 * Several platforms: pack creates each platform's builder in the registry
 * under "<builder>-<os>-<arch>", with that platform's lifecycle, from the
 * build and run images the registry serves for it; then one index at the
 * builder's reference names them all.
 */
async function createPerPlatform(c: BuilderCreation, platforms: string[]): Promise<Created> {
  const { options, builder } = c;
  const parsed = parseImageReference(options.builder);
  if (!parsed?.explicitRegistry && parsed?.registry === DOCKER_HUB) {
    throw new ConfigError(
      options.config,
      'targets',
      `a builder named for a registry, as pack creates a builder of several platforms (${platforms.join(', ')}) only in a registry: set the nx-cnb plugin option "repository"`,
      JSON.stringify(options.builder),
    );
  }
  const { registry } = c;
  await step('checking the images in the registry', () => checkImagesServePlatforms(registry, builder, platforms));
  const created: { platform: string; reference: string }[] = [];
  for (const platform of platforms) {
    const lifecycle = await lifecycleOf(registry, builder, dirname(c.config), platform);
    const config = join(c.outputDir, `builder-${platformSuffix(platform)}.toml`);
    await writeFileAtomic(config, renderBuilderToml(platformBuilderToml(builder, dirname(c.config), lifecycle)));
    const reference = platformReference(options.builder, platform);
    await c.pack.builderCreate(
      { reference, config, flatten: c.flatten, pullPolicy: options.pullPolicy ?? 'if-not-present', publish: true, targets: [platform] },
      (line) => c.log(`${platform} | ${line}`),
      dirname(config),
    );
    created.push({ platform, reference });
  }
  const index = await step(`writing the index ${options.builder}`, () => putIndex(registry, options.builder, created));
  return {
    imageId: '',
    digest: index.digest,
    platforms: created.map((p, i) => ({ ...p, digest: index.platforms[i].digest })),
    layers: 0,
    size: 0,
    labels: {},
  };
}

/** Each build and run image must be in the registry with every platform the builder serves. */
async function checkImagesServePlatforms(registry: Registry, builder: BuilderToml, platforms: string[]): Promise<void> {
  const images = [effectiveBuildImage(builder)!, ...effectiveRunImages(builder)];
  for (const { image, field } of images) {
    const manifest = await registry.getManifest(image);
    const served = manifest && isIndexMediaType(manifest.mediaType) ? indexPlatforms(JSON.parse(manifest.body.toString('utf8'))) : [];
    const lacking = platforms.filter((p) => !served.some((s) => s === p || s.startsWith(`${p}/`)));
    if (lacking.length) {
      throw new ConfigError(
        builder.file,
        field,
        `an image the registry serves for ${platforms.join(' and ')}, as pack creates each platform's builder from the registry (publish its stack first: nx run <stack>:publish)`,
        manifest
          ? `${normalizeImageRef(image)}, which it serves for ${served.join(', ') || 'one platform only'}`
          : `${normalizeImageRef(image)}, which the registry does not have`,
      );
    }
  }
}

/** One platform's lifecycle: a sibling tarball that must exist, an image narrowed to the platform, or a version. */
async function lifecycleOf(registry: Registry, builder: BuilderToml, configDir: string, platform: string): Promise<{ uri: string } | { version: string }> {
  const lifecycle = lifecycleFor(builder, platform);
  if (lifecycle instanceof ConfigError) throw lifecycle;
  if ('version' in lifecycle) return lifecycle;
  if ('uri' in lifecycle) {
    const path = posix.isAbsolute(lifecycle.uri) ? lifecycle.uri : posix.join(configDir, lifecycle.uri);
    if (!existsSync(path)) {
      throw new ConfigError(builder.file, 'lifecycle.uri', `a lifecycle tarball for ${platform} beside the one named`, `no file at ${path}`);
    }
    return { uri: path };
  }
  const manifest = await registry.getManifest(lifecycle.image);
  if (!manifest)
    throw new ConfigError(builder.file, 'lifecycle.uri', 'a lifecycle image the registry has', `docker://${lifecycle.image}, which it does not have`);
  if (!isIndexMediaType(manifest.mediaType)) return { uri: `docker://${lifecycle.image}` };
  const { os, architecture } = parsePlatform(platform);
  const entry = (
    JSON.parse(manifest.body.toString('utf8')) as { manifests: { digest: string; platform?: { os: string; architecture: string } }[] }
  ).manifests.find((m) => m.platform?.os === os && m.platform.architecture === architecture);
  if (!entry) throw new ConfigError(builder.file, 'lifecycle.uri', `a lifecycle image with a ${platform} entry`, `docker://${lifecycle.image} without one`);
  return { uri: `docker://${splitTag(lifecycle.image.split('@')[0])[0]}@${entry.digest}` };
}

function checkOptions(options: CreateBuilderExecutorOptions): void {
  const [repository, tag] = splitTag(options.builder);
  checkNaming('nx-cnb:create-builder', 'options.builder ', { repository, tags: [tag] });
  const problem = flattenOptionProblem('nx-cnb:create-builder', 'options.flatten', options.flatten);
  if (problem) throw problem;
}

/**
 * What is known of each image the builder names: the stack images from their
 * receipts (loading any the engine lacks from the saved image), the others
 * from the engine, pulled first when the pull policy allows, as pack would.
 */
async function knownImages(
  engine: Engine,
  workspaceRoot: string,
  receiptDirs: string[],
  builder: BuilderToml,
  pullPolicy: PullPolicy,
  log: Log,
): Promise<{ images: Map<string, KnownImage>; pullFailures: Map<string, string> }> {
  const known = new Map<string, KnownImage>();
  for (const outputPath of receiptDirs) {
    const receipt = await readReceipt(join(workspaceRoot, outputPath));
    if (!receipt) throw new ExpectedError(`${outputPath}: no receipt.json; build the stack image first (nx run-many -t build-image)`);
    const outcome = await ensureImage(engine, receipt, join(workspaceRoot, outputPath));
    if (outcome !== 'present') log(`${receipt.references[0]}: ${ENSURE_OUTCOME_WORDS[outcome]}`);
    const local = localPlatform(receipt, await engine.platform());
    const { os, architecture } = parsePlatform(local.platform);
    for (const reference of receipt.references) known.set(normalizeImageRef(reference), knownImage(local.labels, os, architecture));
  }
  const pullFailures = new Map<string, string>();
  const named = [effectiveBuildImage(builder)?.image, ...effectiveRunImages(builder).map((r) => r.image)].filter((i): i is string => !!i);
  for (const reference of new Set(named)) {
    if (known.has(normalizeImageRef(reference))) continue;
    let inspected = pullPolicy === 'always' ? undefined : await engine.inspect(reference);
    if (!inspected && pullPolicy !== 'never') {
      try {
        await engine.pull(reference, await registryAuth(registryHost(reference)), (line) => log(`${reference} | ${line}`));
      } catch (e) {
        if (!(e instanceof ExpectedError)) throw e;
        pullFailures.set(normalizeImageRef(reference), e.message);
      }
      inspected = await engine.inspect(reference);
    }
    if (inspected) known.set(normalizeImageRef(reference), knownImage(inspected.Config?.Labels ?? {}, inspected.Os, inspected.Architecture));
  }
  return { images: known, pullFailures };
}

function checkAgainstImages(
  builder: BuilderToml,
  buildpacks: BuildpackDescriptor[],
  { images: known, pullFailures }: { images: Map<string, KnownImage>; pullFailures: Map<string, string> },
  buildRef: string,
  runRefs: string[],
): void {
  const imageProblems = checkImages(builder, known, pullFailures);
  if (imageProblems.length) throw new ConfigErrors(imageProblems);
  const lookup = (reference: string) => known.get(normalizeImageRef(reference))!;
  const buildpackProblems = checkBuildpacks(builder, buildpacks, lookup(buildRef), runRefs.map(lookup));
  if (buildpackProblems.length) throw new ConfigErrors(buildpackProblems);
}
