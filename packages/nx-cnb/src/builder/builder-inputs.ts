/**
 * What a builder is made of, as one digest: when the builder already carries
 * the digest of the same inputs, pack would make the same builder again, and
 * create-builder leaves it as it is. Pure: the files' and images' digests come
 * from the caller.
 */
import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import type { BuilderToml } from './builder-toml';

/** The label (and, on an index, the annotation) that carries the inputs' digest. */
export const BUILDER_INPUTS_LABEL = 'io.nx-cnb.builder.inputs';

/** Bump when what goes into the digest changes, so no builder made before counts as up to date. */
const INPUTS_VERSION = 1;

/** Where the content of a builder comes from, as far as pack reads it. */
export interface BuilderSources {
  /** Local buildpack and extension folders or archives and the lifecycle tarball: relative to the workspace, or absolute. */
  local: string[];
  /** What pack may fetch anew, and so may differ next time: one line each, naming the field. */
  unpinned: string[];
}

const DIGEST_PINNED = /@sha256:[0-9a-f]{64}$/;
const SCHEME = /^[a-z][a-z0-9+.-]*:/i;

/**
 * Sorts a builder.toml's buildpacks, extensions and lifecycle into local
 * paths (whose content the caller digests) and references pack resolves
 * remotely, of which only those pinned by digest name fixed content. `root`
 * is the builder.toml's folder, relative to the workspace.
 */
export function builderSources(root: string, builder: BuilderToml): BuilderSources {
  const local: string[] = [];
  const unpinned: string[] = [];
  const source = (field: string, uri: string | undefined) => {
    if (!uri) return;
    if (uri.startsWith('file://')) local.push(decodeURIComponent(uri.slice('file://'.length)));
    else if (!SCHEME.test(uri)) local.push(posix.isAbsolute(uri) ? uri : posix.normalize(posix.join(root, uri)));
    else if (!DIGEST_PINNED.test(uri)) unpinned.push(`${field} ${JSON.stringify(uri)}`);
  };
  for (const kind of ['buildpacks', 'extensions'] as const) {
    builder[kind].forEach((m, i) => source(`${kind}[${i}].uri`, m.uri ?? (m.image ? `docker://${m.image}` : undefined)));
  }
  source('lifecycle.uri', builder.lifecycle?.uri);
  return { local, unpinned };
}

/** Everything pack's result depends on, gathered by the executor. */
export interface BuilderInputs {
  packVersion: string;
  /** The builder's reference and how it is made. */
  reference: string;
  publish: boolean;
  platforms: string[];
  flatten: string[];
  /** The text of each builder.toml pack reads (the workspace's, and any nx-cnb wrote per platform). */
  configs: string[];
  /** Local file path → digest of its content (a folder's files each, with their mode). */
  files: Record<string, string>;
  /** Build and run image reference → the image ID or manifest digest pack starts from. */
  images: Record<string, string>;
}

/** The digest of a builder's inputs: the same inputs always give the same digest, in any order. */
export function builderInputsDigest(inputs: BuilderInputs): string {
  const canonical = {
    version: INPUTS_VERSION,
    packVersion: inputs.packVersion,
    reference: inputs.reference,
    publish: inputs.publish,
    platforms: [...inputs.platforms].sort(),
    flatten: inputs.flatten,
    configs: inputs.configs,
    files: Object.entries(inputs.files).sort(([a], [b]) => a.localeCompare(b)),
    images: Object.entries(inputs.images).sort(([a], [b]) => a.localeCompare(b)),
  };
  return `sha256:${createHash('sha256').update(JSON.stringify(canonical)).digest('hex')}`;
}
