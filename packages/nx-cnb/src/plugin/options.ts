import { ConfigError, describe } from '../config/config-error';

/** Options users set for nx-cnb in nx.json's "plugins". */
export interface NxCnbPluginOptions {
  /** Registry and namespace to prefix image names with, e.g. "127.0.0.1:5000/acme". */
  repository?: string;
  /** Tags every image gets; the first is the one consumers use. Default ["latest"]. */
  tags?: string[];
  /** Name of the aggregate target that builds every image of a stack. Default "build-image". */
  buildImageTargetName?: string;
  /** Save images beside their receipts so Nx cache hits carry them. Default true. */
  archive?: boolean;
}

export const IMAGE_TARGET_PREFIX = 'image-';

// The grammar of image references, simplified: an optional host[:port], then lowercase path components.
const REPOSITORY = /^([A-Za-z0-9.-]+(:[0-9]+)?\/)?[a-z0-9]+([._-][a-z0-9]+)*(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const REPOSITORY_EXPECTED = 'a registry and namespace such as "127.0.0.1:5000/acme" (lowercase, no tag)';
const TAG_EXPECTED = 'a Docker tag: letters, digits, "_", "." and "-", at most 128';

/** Checks tags and a repository wherever they come from: nx.json or a target's options. */
export function checkNaming(file: string, fieldPrefix: string, repository: unknown, tags: unknown): void {
  if (repository !== undefined && (typeof repository !== 'string' || !REPOSITORY.test(repository))) {
    throw new ConfigError(file, `${fieldPrefix}repository`, REPOSITORY_EXPECTED, describe(repository));
  }
  if (tags === undefined) return;
  if (!Array.isArray(tags) || tags.length === 0) throw new ConfigError(file, `${fieldPrefix}tags`, 'a non-empty array of tags', describe(tags));
  tags.forEach((tag, i) => {
    if (typeof tag !== 'string' || !TAG.test(tag)) throw new ConfigError(file, `${fieldPrefix}tags[${i}]`, TAG_EXPECTED, describe(tag));
  });
}

/** Checks the options in nx.json, so a bad repository or tag fails here and not half-way through a push. */
export function checkPluginOptions(options: NxCnbPluginOptions): void {
  checkNaming('nx.json', 'plugins["nx-cnb"].options.', options.repository, options.tags);
}
