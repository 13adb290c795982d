import { join } from 'node:path';
import { effectiveRunImages } from '../../builder/builder-toml';
import type { RegistryAuth } from '../../engine/credentials';
import type { Engine } from '../../engine/engine';
import { ensureImage } from '../../engine/ensure-image';
import { registryAuth } from '../../engine/registry-auth';
import { ConfigError, ExpectedError, step } from '../../errors';
import { type BuilderReceipt, type ImageReceipt, prepareOutputs, RECEIPT_FILE, readReceipt, writeFileAtomic } from '../../receipt/receipt';
import { checkNaming, DOCKER_HUB, normalizeImageRef, registryHost, withTag } from '../../reference/image-reference';
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
  const pushes = await step('reading what to publish', () => plannedPushes(engine, io.workspaceRoot, options));
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
  await writeFileAtomic(join(outputDir, RECEIPT_FILE), JSON.stringify({ receiptVersion: 1, published }, null, 2) + '\n');
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
