/**
 * jam's [deprecated] mixins = true at build time: the mixins label comes from
 * the package lists of the image and its pair. A run image reads its build
 * image's packages from that task's receipt (the run image task depends on
 * it); the build image builds the run Dockerfile of its own stack.toml to read
 * its packages (the engine's layer cache makes the run task's build of the
 * same Dockerfile a cache hit).
 */
import { join } from 'node:path';
import { knownImage } from '../../builder/checks';
import { ExpectedError } from '../../errors';
import { readReceipt } from '../../receipt/receipt';
import type { Package } from '../../stack/image-contents';
import { mixinPair, type Stack, type StackImage } from '../../stack/stack';
import { deriveMixins } from '../../stack/stack-toml';

export interface MixinSources {
  workspaceRoot: string;
  /** The build image task's output folder (its receipt), for a run image: the option mixinsFrom. */
  buildReceipt?: string;
  /** The packages of another image of the stack, built without decorating. */
  packagesOf(image: StackImage): Promise<Package[]>;
  log(line: string): void;
  warn(line: string): void;
}

/** The mixins an image derives, or undefined when it declares its own. */
export async function derivedMixins(stack: Stack, image: StackImage, own: Package[], platform: string, sources: MixinSources): Promise<string[] | undefined> {
  if (!image.deriveMixins) return undefined;
  const pair = mixinPair(stack, image)!;
  const names = (packages: Package[]) => packages.map((p) => p.name);
  let mixins: string[];
  if (image.kind === 'build') {
    mixins = deriveMixins(names(own), names(await sources.packagesOf(pair))).build;
  } else {
    const receiptDir = sources.buildReceipt;
    const receipt = receiptDir ? await readReceipt(join(sources.workspaceRoot, receiptDir)) : undefined;
    const built = receipt?.platforms.find((p) => p.platform === platform);
    if (!built) {
      throw new ExpectedError(
        `${receiptDir ?? 'nx-cnb:build-image options.mixinsFrom'}: no receipt.json of the build image ${pair.key} for ${platform}, whose packages ${image.key} derives its mixins against; build it first`,
      );
    }
    mixins = deriveMixins(names(built.packages), names(own)).run;
    // pack refuses a run image that lacks an unprefixed mixin of the build image (stack.ValidateMixins).
    const buildMixins = (knownImage(built.labels, undefined, undefined).mixins ?? []).filter((m) => !m.includes(':'));
    const missing = buildMixins.filter((m) => !mixins.includes(m));
    if (missing.length) {
      sources.warn(
        `${image.key}: the build image ${pair.key} declares mixins this run image lacks (${missing.slice(0, 5).join(', ')}${missing.length > 5 ? `, and ${missing.length - 5} more` : ''}); pack refuses a builder that pairs them`,
      );
    }
  }
  const unprefixed = mixins.filter((m) => !m.includes(':')).length;
  sources.log(
    `mixins derived against the packages of ${pair.key} (as jam's [deprecated] mixins = true): ${unprefixed} in both images, ${mixins.length - unprefixed} in ${image.key} only`,
  );
  return mixins;
}
