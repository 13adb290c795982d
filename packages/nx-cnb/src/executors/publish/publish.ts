import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { effectiveRunImages } from '../../builder/builder-toml';
import type { RegistryAuth } from '../../engine/credentials';
import type { Engine } from '../../engine/engine';
import { ensureImage } from '../../engine/ensure-image';
import { registryAuth } from '../../engine/registry-auth';
import { ConfigError, ExpectedError, step } from '../../errors';
import { type BuilderReceipt, type ImageReceipt, prepareOutputs, RECEIPT_FILE, readReceipt, writeFileAtomic } from '../../receipt/receipt';
import { checkNaming, DOCKER_HUB, normalizeImageRef, registryHost, withTag } from '../../reference/image-reference';
import { SBOM_FILE_SUFFIX } from '../../release/sbom';
import { renderPublished } from '../../release/release-notes';
import { headCommit } from '../../workspace/git';
import { readBuilderFromDisk } from '../../workspace/workspace-files';
import { executor, type Io } from '../executor';
import type { PublishExecutorOptions } from './schema';

/** One reference to push, and the image it must point at. */
interface Push {
  reference: string;
  imageId: string;
}

export default executor(publish);

/**
 * Pushes what the receipts name (stack images or a builder) under their
 * references and any extra tags, plus a builder's run-image mirrors, and
 * records each digest. Credentials come from the Docker config and are never shown.
 */
export async function publish(options: PublishExecutorOptions, io: Io): Promise<{ reference: string; digest: string }[]> {
  checkNaming('nx-cnb:publish', 'options.', { tags: options.tags });
  const outputDir = join(io.workspaceRoot, options.outputPath);
  await prepareOutputs(outputDir);

  const engine = await io.engine();
  const release = await readRelease(io, options);
  const tags = release ? [...(options.tags ?? []), release.version] : options.tags;
  const pushes = await step('reading what to publish', () => plannedPushes(engine, io.workspaceRoot, { ...options, tags }));
  refuseDockerHub(pushes);
  if (options.dryRun) {
    for (const push of pushes) io.logger.info(`would push ${push.reference} (${push.imageId.slice(7, 19)})`);
    return [];
  }

  const auths = new Map<string, RegistryAuth | undefined>();
  const published: { reference: string; digest: string }[] = [];
  for (const push of pushes) {
    await engine.tag(push.imageId, push.reference);
    const host = registryHost(push.reference);
    if (!auths.has(host)) auths.set(host, await registryAuth(host));
    const digest = await engine.push(push.reference, auths.get(host), (line) => io.logger.info(`${push.reference} | ${line}`));
    io.logger.info(`pushed ${push.reference}@${digest}`);
    published.push({ reference: push.reference, digest });
  }
  const files = await recordRelease(io.workspaceRoot, options, outputDir, release, published);
  const commit = (await headCommit(io.workspaceRoot)) ?? null;
  await writeFileAtomic(
    join(outputDir, RECEIPT_FILE),
    JSON.stringify({ receiptVersion: 1, published, commit, version: release?.version ?? null, files }, null, 2) + '\n',
  );
  return published;
}

async function plannedPushes(engine: Engine, workspaceRoot: string, options: PublishExecutorOptions): Promise<Push[]> {
  const pushes: Push[] = [];
  for (const dir of options.receipts) {
    const receipt = await readReceipt<ImageReceipt | BuilderReceipt>(join(workspaceRoot, dir));
    if (!receipt) throw new ExpectedError(`${dir}: no receipt.json; build it before publishing`);
    if ('references' in receipt) {
      await ensureImage(engine, receipt, join(workspaceRoot, dir));
      pushes.push(...withTags(receipt.references, options.tags).map((reference) => ({ reference, imageId: receipt.imageId })));
    } else {
      pushes.push(...withTags([receipt.builder], options.tags).map((reference) => ({ reference, imageId: receipt.imageId })));
    }
  }
  if (options.builderConfig) pushes.push(...(await mirrorPushes(engine, workspaceRoot, options.builderConfig)));
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

/** Run-image mirrors a builder names: the run image, tagged and pushed under each mirror. */
async function mirrorPushes(engine: Engine, workspaceRoot: string, config: string): Promise<Push[]> {
  const builder = readBuilderFromDisk(workspaceRoot, config);
  const pushes: Push[] = [];
  for (const run of effectiveRunImages(builder)) {
    if (!run.mirrors.length) continue;
    const image = await engine.inspect(run.image);
    if (!image) throw new ConfigError(config, run.field, 'the run image in the engine to push its mirrors', `${normalizeImageRef(run.image)} missing`);
    pushes.push(...run.mirrors.map((mirror) => ({ reference: normalizeImageRef(mirror), imageId: image.Id })));
  }
  return pushes;
}

/** What release-notes wrote for the images about to be pushed, or undefined (with a warning when it is stale). */
async function readRelease(io: Io, options: PublishExecutorOptions): Promise<{ version: string; notes: string } | undefined> {
  if (!options.releasePath) return undefined;
  const dir = join(io.workspaceRoot, options.releasePath);
  const text = await fs.readFile(join(dir, 'release.json'), 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  const release = JSON.parse(text) as { version: string; images: { image: string; imageId: string }[] };
  const current = new Map<string, string>();
  for (const receiptDir of options.receipts) {
    const receipt = await readReceipt<ImageReceipt>(join(io.workspaceRoot, receiptDir));
    if (receipt) current.set(receipt.image, receipt.imageId);
  }
  if (release.images.some((i) => current.get(i.image) !== i.imageId)) {
    io.logger.warn(`${options.releasePath}: the release notes describe other images than these; run release-notes again to publish them as a release`);
    return undefined;
  }
  io.logger.info(`publishing release ${release.version} (${options.releasePath})`);
  return { version: release.version, notes: await fs.readFile(join(dir, 'release-notes.md'), 'utf8') };
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
  published: { reference: string; digest: string }[],
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
    await writeFileAtomic(join(outputDir, 'release-notes.md'), `${release.notes.trimEnd()}\n\n${renderPublished(published)}`);
    files.push('release-notes.md');
  }
  return files;
}
