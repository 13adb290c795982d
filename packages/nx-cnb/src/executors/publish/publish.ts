import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { effectiveRunImages } from '../../builder/builder-toml';
import type { RegistryAuth } from '../../engine/credentials';
import type { Engine, Log } from '../../engine/engine';
import { ensureImage } from '../../engine/ensure-image';
import { registryAuth } from '../../engine/registry-auth';
import { parseJson } from '../../config/parse';
import { ConfigError, ExpectedError, step } from '../../errors';
import { platformReference } from '../../oci/platform';
import { type BuilderReceipt, type ImageReceipt, prepareOutputs, RECEIPT_FILE, readReceipt, writeFileAtomic } from '../../receipt/receipt';
import { checkNaming, DOCKER_HUB, normalizeImageRef, registryHost, withTag } from '../../reference/image-reference';
import { putIndex, type Registry } from '../../registry/registry-client';
import { SBOM_FILE_SUFFIX } from '../../release/sbom';
import { NOTES_FILE, RELEASE_FILE, type ReleaseRecord, renderPublished, sameImages } from '../../release/release-notes';
import { releasedImages } from '../../receipt/platform-images';
import { headCommit } from '../../workspace/git';
import { readBuilderFromDisk } from '../../workspace/workspace-files';
import { executor, type Io } from '../executor';
import type { PublishExecutorOptions } from './schema';

/**
 * What one reference is to point at: images of the engine (one, or one per
 * platform behind an index), or platform images already in the registry (a
 * builder pack created there) that only need an index.
 */
type Push =
  | { kind: 'engine'; reference: string; platforms: { platform: string; imageId: string }[] }
  | { kind: 'registry'; reference: string; platforms: { platform: string; reference: string }[] }
  /** Images the image tasks left in the cache registry: copied by digest, through the registry API. */
  | { kind: 'copy'; reference: string; platforms: { platform: string; imageId: string; source: string }[] };

export interface Published {
  reference: string;
  digest: string;
  /** Each platform's digest, for a reference that names an index. */
  platforms?: { platform: string; digest: string }[];
}

export default executor(publish);

/**
 * Pushes what the receipts name (stack images or a builder) under their
 * references and any extra tags, plus a builder's run-image mirrors, and
 * records each digest. An image of several platforms is pushed per platform
 * ("<reference>-<os>-<arch>") and its references become one OCI index over
 * them. Credentials come from the Docker config and are never shown.
 */
export async function publish(options: PublishExecutorOptions, io: Io): Promise<Published[]> {
  checkNaming('nx-cnb:publish', 'options.', { tags: options.tags });
  const outputDir = join(io.workspaceRoot, options.outputPath);
  await prepareOutputs(outputDir);

  const engine = await io.engine();
  const release = await readRelease(io, options);
  const tags = release ? [...(options.tags ?? []), release.version] : options.tags;
  const pushes = await step('reading what to publish', () => plannedPushes(engine, io.workspaceRoot, { ...options, tags }));
  refuseDockerHub(pushes);
  if (options.dryRun) {
    for (const push of pushes)
      io.logger.info(
        `would push ${push.reference} (${push.platforms.map((p) => `${p.platform} ${'imageId' in p ? p.imageId.slice(7, 19) : p.reference}`).join(', ')})`,
      );
    return [];
  }

  const auths = new Map<string, Promise<RegistryAuth | undefined>>();
  const authFor = (host: string) => auths.get(host) ?? auths.set(host, registryAuth(host)).get(host)!;
  const published: Published[] = [];
  for (const push of pushes) {
    const log: Log = (line) => io.logger.info(`${push.reference} | ${line}`);
    const result = await pushOne(engine, io.registry, push, await authFor(registryHost(push.reference)), log);
    io.logger.info(`pushed ${push.reference}@${result.digest}${result.platforms ? ` (${result.platforms.map((p) => p.platform).join(', ')})` : ''}`);
    published.push(result);
  }
  const files = await recordRelease(io.workspaceRoot, options, outputDir, release, published);
  const commit = (await headCommit(io.workspaceRoot)) ?? null;
  await writeFileAtomic(
    join(outputDir, RECEIPT_FILE),
    JSON.stringify({ receiptVersion: 2, published, commit, version: release?.version ?? null, files }, null, 2) + '\n',
  );
  return published;
}

/** Pushes one reference: the image itself, or each platform's image and then an index over them. */
async function pushOne(engine: Engine, registry: Registry, push: Push, auth: RegistryAuth | undefined, log: Log): Promise<Published> {
  if (push.kind === 'registry') return { reference: push.reference, ...(await putIndex(registry, push.reference, push.platforms)) };
  if (push.kind === 'copy') {
    if (push.platforms.length === 1) return { reference: push.reference, digest: await registry.copyImage(push.platforms[0].source, push.reference) };
    const copies = [];
    for (const { platform, source } of push.platforms) {
      const reference = platformReference(push.reference, platform);
      await registry.copyImage(source, reference);
      copies.push({ platform, reference });
    }
    return { reference: push.reference, ...(await putIndex(registry, push.reference, copies)) };
  }
  if (push.platforms.length === 1) {
    await engine.tag(push.platforms[0].imageId, push.reference);
    return { reference: push.reference, digest: await engine.push(push.reference, auth, log) };
  }
  const sources = [];
  for (const { platform, imageId } of push.platforms) {
    const reference = platformReference(push.reference, platform);
    await engine.tag(imageId, reference);
    await engine.push(reference, auth, log);
    sources.push({ platform, reference });
  }
  return { reference: push.reference, ...(await putIndex(registry, push.reference, sources)) };
}

async function plannedPushes(engine: Engine, workspaceRoot: string, options: PublishExecutorOptions): Promise<Push[]> {
  const pushes: Push[] = [];
  for (const dir of options.receipts) {
    const receipt = await readReceipt<ImageReceipt | BuilderReceipt>(join(workspaceRoot, dir));
    if (!receipt) throw new ExpectedError(`${dir}: no receipt.json; build it before publishing`);
    if ('references' in receipt && receipt.platforms.every((p) => p.cached)) {
      // In the cache registry already: copied by digest, whatever the engine holds.
      const platforms = receipt.platforms.map((p) => ({ platform: p.platform, imageId: p.imageId, source: p.cached! }));
      pushes.push(...withTags(receipt.references, options.tags).map((reference) => ({ kind: 'copy' as const, reference, platforms })));
    } else if ('references' in receipt) {
      await ensureImage(engine, receipt, join(workspaceRoot, dir));
      const platforms = receipt.platforms.map((p) => ({ platform: p.platform, imageId: p.imageId }));
      pushes.push(...withTags(receipt.references, options.tags).map((reference) => ({ kind: 'engine' as const, reference, platforms })));
    } else if (receipt.platforms.length > 1) {
      // pack created each platform's builder in the registry; every tag gets an index over them.
      const platforms = receipt.platforms.map((p) => ({ platform: p.platform, reference: p.reference }));
      pushes.push(...withTags([receipt.builder], options.tags).map((reference) => ({ kind: 'registry' as const, reference, platforms })));
    } else {
      const platforms = [{ platform: receipt.platforms[0].platform, imageId: receipt.imageId }];
      pushes.push(...withTags([receipt.builder], options.tags).map((reference) => ({ kind: 'engine' as const, reference, platforms })));
    }
  }
  if (options.builderConfig) pushes.push(...(await mirrorPushes(engine, workspaceRoot, options.builderConfig, options.images ?? [])));
  return pushes;
}

/** A name without a registry would go to Docker Hub: almost never what a stack maintainer means. */
function refuseDockerHub(pushes: Push[]): void {
  for (const { reference } of pushes) {
    if (registryHost(reference) === DOCKER_HUB && !reference.startsWith(`${DOCKER_HUB}/`)) {
      throw new ExpectedError(
        `publish: ${reference} names no registry, so it would go to Docker Hub. Set the nx-cnb plugin option "repository" (e.g. "127.0.0.1:5000/acme") so images are named for your registry.`,
      );
    }
  }
}

/** Each reference under its own tag and under every extra tag. */
function withTags(references: string[], tags: string[] = []): string[] {
  const out = new Set(references);
  for (const reference of references) for (const tag of tags) out.add(withTag(reference, tag));
  return [...out];
}

/**
 * Run-image mirrors a builder names: the run image, pushed under each mirror
 * with every platform it has. A run image a stack of the workspace makes
 * brings its platforms from its receipt; another must be in the engine.
 */
async function mirrorPushes(engine: Engine, workspaceRoot: string, config: string, imageReceipts: string[]): Promise<Push[]> {
  const builder = readBuilderFromDisk(workspaceRoot, config);
  const receipts = await Promise.all(imageReceipts.map((dir) => readReceipt(join(workspaceRoot, dir))));
  const pushes: Push[] = [];
  for (const run of effectiveRunImages(builder)) {
    if (!run.mirrors.length) continue;
    const made = receipts.find((r) => r?.references.some((reference) => normalizeImageRef(reference) === normalizeImageRef(run.image)));
    if (made?.platforms.every((p) => p.cached)) {
      const sources = made.platforms.map((p) => ({ platform: p.platform, imageId: p.imageId, source: p.cached! }));
      pushes.push(...run.mirrors.map((mirror) => ({ kind: 'copy' as const, reference: normalizeImageRef(mirror), platforms: sources })));
      continue;
    }
    let platforms = made?.platforms.map((p) => ({ platform: p.platform, imageId: p.imageId }));
    if (!platforms) {
      const image = await engine.inspect(run.image);
      if (!image) throw new ConfigError(config, run.field, 'the run image in the engine to push its mirrors', `${normalizeImageRef(run.image)} missing`);
      platforms = [{ platform: `${image.Os}/${image.Architecture}`, imageId: image.Id }];
    }
    pushes.push(...run.mirrors.map((mirror) => ({ kind: 'engine' as const, reference: normalizeImageRef(mirror), platforms: platforms! })));
  }
  return pushes;
}

/** What release-notes wrote for the images about to be pushed, or undefined (with a warning when it is stale). */
async function readRelease(io: Io, options: PublishExecutorOptions): Promise<{ version: string; notes: string } | undefined> {
  if (!options.releasePath) return undefined;
  const dir = join(io.workspaceRoot, options.releasePath);
  const file = join(options.releasePath, RELEASE_FILE);
  const text = await fs.readFile(join(io.workspaceRoot, file), 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  const release = parseJson(file, text) as Partial<ReleaseRecord>;
  if (typeof release.version !== 'string' || !Array.isArray(release.images)) {
    throw new ConfigError(file, '(file)', 'the release record release-notes writes (version, images)', 'another file');
  }
  // The notes hold when they name exactly the images about to be pushed, every platform's.
  const current: ReleaseRecord['images'] = [];
  for (const receiptDir of options.receipts) {
    const receipt = await readReceipt<ImageReceipt | BuilderReceipt>(join(io.workspaceRoot, receiptDir));
    if (receipt && 'references' in receipt) current.push(...releasedImages(receipt));
  }
  if (!sameImages(release.images, current)) {
    io.logger.warn(`${options.releasePath}: the release notes describe other images than these; run release-notes again to publish them as a release`);
    return undefined;
  }
  io.logger.info(`publishing release ${release.version} (${options.releasePath})`);
  return { version: release.version, notes: await fs.readFile(join(dir, NOTES_FILE), 'utf8') };
}

/**
 * Beside the publish receipt: each image's receipt and SBOMs (the baseline of
 * the next release) and the release notes with the digests appended.
 */
async function recordRelease(
  workspaceRoot: string,
  options: PublishExecutorOptions,
  outputDir: string,
  release: { version: string; notes: string } | undefined,
  published: Published[],
): Promise<string[]> {
  const files: string[] = [];
  for (const receiptDir of options.receipts) {
    const receipt = await readReceipt<ImageReceipt | BuilderReceipt>(join(workspaceRoot, receiptDir));
    if (!receipt || !('references' in receipt)) continue;
    const target = join(outputDir, receipt.image);
    await fs.rm(target, { recursive: true, force: true });
    await fs.mkdir(target, { recursive: true });
    for (const name of await fs.readdir(join(workspaceRoot, receiptDir))) {
      if (name !== RECEIPT_FILE && !name.endsWith(SBOM_FILE_SUFFIX)) continue;
      await writeFileAtomic(join(target, name), await fs.readFile(join(workspaceRoot, receiptDir, name), 'utf8'));
      files.push(`${receipt.image}/${name}`);
    }
  }
  if (release) {
    await writeFileAtomic(join(outputDir, NOTES_FILE), `${release.notes.trimEnd()}\n\n${renderPublished(published)}`);
    files.push(NOTES_FILE);
  }
  return files;
}
