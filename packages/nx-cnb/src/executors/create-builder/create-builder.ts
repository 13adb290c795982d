import { dirname, join, posix } from 'node:path';
import { type BuilderToml, effectiveBuildImage, effectiveRunImages, moduleName } from '../../builder/builder-toml';
import type { BuildpackDescriptor } from '../../builder/buildpack-toml';
import {
  checkBuildpacks,
  checkImages,
  contentsProblems,
  flattenOptionProblem,
  type KnownImage,
  knownImage,
  layerLimitProblem,
  estimateLayers,
  resolveFlatten,
} from '../../builder/checks';
import type { Engine, Log } from '../../engine/engine';
import { ENSURE_OUTCOME_WORDS, ensureImage } from '../../engine/ensure-image';
import { ConfigErrors, ExpectedError, step } from '../../errors';
import { type BuilderReceipt, prepareOutputs, readReceipt, writeReceipt } from '../../receipt/receipt';
import { registryAuth } from '../../engine/registry-auth';
import type { PullPolicy } from '../../pack/args';
import { checkNaming, normalizeImageRef, registryHost, splitTag } from '../../reference/image-reference';
import { builderLifecycleApis, missingLocalFiles } from '../../workspace/lifecycle-file';
import { readBuilderFromDisk, readLocalBuildpacks } from '../../workspace/workspace-files';
import { executor, type Io } from '../executor';
import type { CreateBuilderExecutorOptions } from './schema';

export default executor(createBuilder);

/**
 * Creates a builder with `pack builder create`: reads and checks builder.toml
 * and its local buildpacks, makes sure the engine holds every stack image it
 * names, checks the builder against those images the way pack would (and a
 * few things pack finds only later), then runs pack and writes a receipt.
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
  const counts = {
    buildImageLayers: (await engine.inspect(buildRef))?.RootFS?.Layers?.length ?? 0,
    buildpacks: builder.buildpacks.length,
    extensions: builder.extensions.length,
    flattenGroups: flatten,
  };
  const tooMany = layerLimitProblem(builder, counts);
  if (tooMany) throw new ExpectedError(tooMany);
  const estimatedLayers = estimateLayers(builder, counts);

  log(`pack ${pack.version}: creating ${options.builder} (${flatten.length} flattened group${flatten.length === 1 ? '' : 's'}, ~${estimatedLayers} layers)`);
  const config = join(io.workspaceRoot, options.config);
  await pack.builderCreate({ reference: options.builder, config, flatten, pullPolicy, publish: options.publish }, log, dirname(config));

  const inspected = options.publish ? undefined : await engine.inspect(options.builder);
  const receipt: BuilderReceipt = {
    receiptVersion: 1,
    config: options.config,
    builder: options.builder,
    imageId: inspected?.Id ?? '',
    packVersion: pack.version,
    buildImage: buildRef,
    runImages: runRefs,
    buildpacks: builder.buildpacks.map(moduleName),
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
    const [os, arch] = receipt.platform.split('/');
    for (const reference of receipt.references) known.set(normalizeImageRef(reference), knownImage(receipt.labels, os, arch));
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
