import { posix } from 'node:path';
import { ConfigError } from '../errors';
import { imageReferences, normalizeImageRef } from '../reference/image-reference';
import type { Stack, StackImage } from '../stack/stack';
import type { NxCnbPluginOptions } from './options';
import { IMAGE_TARGET_PREFIX } from './options';
import { imageOutputPath } from './stack-nodes';

/** A stack image as other projects see it: who makes it and where its receipt is. */
export interface IndexedImage {
  project: string;
  projectRoot: string;
  /** The file that names the image (images.json or a lone stack.toml), relative to the workspace. */
  configFile: string;
  target: string;
  outputPath: string;
  image: StackImage;
}

export interface ImageIndex {
  /** Every image the healthy stacks make, by each of its references. */
  images: Map<string, IndexedImage>;
  /** The stacks (by root) left out because they would make an image another stack makes. */
  conflicts: Map<string, ConfigError>;
}

/**
 * Every image the workspace's stacks make, by each of its references. Stacks
 * are taken in the order given (oldest first), so when two make the same
 * image name the later one is reported, naming both files, and the earlier
 * one keeps working.
 */
export function indexImages(stacks: { root: string; name: string; stack: Stack }[], options: NxCnbPluginOptions): ImageIndex {
  const images = new Map<string, IndexedImage>();
  const conflicts = new Map<string, ConfigError>();
  for (const { root, name, stack } of stacks) {
    const configFile = posix.join(root, stack.configFile);
    const entries = stack.images.flatMap((image) => {
      const entry = {
        project: name,
        projectRoot: root,
        configFile,
        target: `${IMAGE_TARGET_PREFIX}${image.key}`,
        outputPath: imageOutputPath(root, image),
        image,
      };
      return imageReferences(image.name, options.repository, options.tags).map((reference) => [normalizeImageRef(reference), entry] as const);
    });
    const clash = entries.find(([reference]) => images.has(reference));
    if (clash) {
      const [reference] = clash;
      conflicts.set(
        root,
        new ConfigError(
          configFile,
          'images',
          'image names that no other stack makes (change os_name, os_codename or the naming pattern)',
          `${JSON.stringify(reference)}, which ${images.get(reference)!.configFile} makes too`,
        ),
      );
      continue;
    }
    for (const [reference, entry] of entries) images.set(reference, entry);
  }
  return { images, conflicts };
}
