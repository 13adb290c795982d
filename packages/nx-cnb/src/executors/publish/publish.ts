import { logger } from '@nx/devkit';
import { checkNaming } from '../../plugin/options';
import { readBuilder } from '../create-builder/create-builder';
import { executor } from '../executor';
import type Docker from 'dockerode';
import { join } from 'node:path';
import { effectiveRunImages } from '../../builder/builder-toml';
import { normalizeImageRef } from '../../builder/checks';
import { inspectImage } from '../../engine/archive';
import { splitTag } from '../../engine/build';
import { registryHost, RegistryAuth } from '../../engine/credentials';
import { connectEngine } from '../../engine/engine';
import { ensureImage } from '../../engine/ensure-image';
import { pushImage } from '../../engine/push';
import { registryAuth } from '../../engine/registry-auth';
import { BuilderReceipt, ImageReceipt, prepareOutputs, RECEIPT_FILE, readReceipt, writeFileAtomic } from '../../receipt/receipt';
import type { PublishExecutorOptions } from './schema';

/** One reference to push, and the image it must point at. */
interface Push {
  reference: string;
  imageId: string;
}

export default executor(publish);

export async function publish(options: PublishExecutorOptions, workspaceRoot: string): Promise<{ reference: string; digest: string }[]> {
  checkNaming('nx-cnb:publish', 'options.', undefined, options.tags);
  const outputDir = join(workspaceRoot, options.outputPath);
  await prepareOutputs(outputDir);

  const docker = await connectEngine();
  const pushes: Push[] = [];
  for (const dir of options.receipts) {
    const receipt = await readReceipt<ImageReceipt | BuilderReceipt>(join(workspaceRoot, dir));
    if (!receipt) throw new Error(`${dir}: no receipt.json; build it before publishing`);
    if ('references' in receipt) {
      await ensureImage(docker, receipt, join(workspaceRoot, dir));
      pushes.push(...withTags(receipt.references, options.tags).map((reference) => ({ reference, imageId: receipt.imageId })));
    } else {
      pushes.push(...withTags([receipt.builder], options.tags).map((reference) => ({ reference, imageId: receipt.imageId })));
    }
  }
  if (options.builderConfig) pushes.push(...(await mirrorPushes(docker, workspaceRoot, options.builderConfig)));

  for (const { reference } of pushes) {
    if (registryHost(reference) === 'docker.io' && !reference.startsWith('docker.io/')) {
      throw new Error(
        `publish: ${reference} names no registry, so it would go to Docker Hub. Set the nx-cnb plugin option "repository" (e.g. "127.0.0.1:5000/acme") so images are named for your registry.`,
      );
    }
  }
  if (options.dryRun) {
    for (const push of pushes) logger.info(`would push ${push.reference} (${push.imageId.slice(7, 19)})`);
    return [];
  }

  const auths = new Map<string, RegistryAuth | undefined>();
  const published: { reference: string; digest: string }[] = [];
  for (const push of pushes) {
    const [repo, tag] = splitTag(push.reference);
    await docker.getImage(push.imageId).tag({ repo, tag });
    const host = registryHost(push.reference);
    if (!auths.has(host)) auths.set(host, await registryAuth(host));
    const digest = await pushImage(docker, push.reference, auths.get(host), (line) => logger.info(`${push.reference} | ${line}`));
    logger.info(`pushed ${push.reference}@${digest}`);
    published.push({ reference: push.reference, digest });
  }
  await writeFileAtomic(join(outputDir, RECEIPT_FILE), JSON.stringify({ receiptVersion: 1, published }, null, 2) + '\n');
  return published;
}

/** Each reference under its own tag and under every extra tag. */
function withTags(references: string[], tags: string[] = []): string[] {
  const out = new Set(references);
  for (const reference of references) for (const tag of tags) out.add(`${splitTag(reference)[0]}:${tag}`);
  return [...out];
}

/** Run-image mirrors a builder names: the run image, tagged and pushed under each mirror. */
async function mirrorPushes(docker: Docker, workspaceRoot: string, config: string): Promise<Push[]> {
  const builder = await readBuilder(workspaceRoot, config);
  const pushes: Push[] = [];
  for (const run of effectiveRunImages(builder)) {
    if (!run.mirrors.length) continue;
    const image = await inspectImage(docker, run.image);
    if (!image) throw new Error(`${config}: ${run.field}: expected the run image in the engine to push its mirrors, found ${normalizeImageRef(run.image)} missing`);
    pushes.push(...run.mirrors.map((mirror) => ({ reference: normalizeImageRef(mirror), imageId: image.Id })));
  }
  return pushes;
}
