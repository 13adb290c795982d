/** OCI image indexes: the manifest that makes one reference serve several platforms. Pure. */
import { formatPlatform, parsePlatform, type Platform } from './platform';

export const MEDIA_TYPES = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
} as const;

/** One platform's manifest as an index names it. */
export interface IndexEntry {
  mediaType: string;
  digest: string;
  size: number;
  platform: string;
}

interface IndexDocument {
  schemaVersion: 2;
  mediaType: string;
  manifests: { mediaType: string; digest: string; size: number; platform: Platform }[];
  annotations?: Record<string, string>;
}

/** The JSON of an OCI index over platform manifests, in the order given, as the bytes the registry stores. */
export function renderIndex(entries: readonly IndexEntry[], annotations?: Record<string, string>): Buffer {
  const document: IndexDocument = {
    schemaVersion: 2,
    mediaType: MEDIA_TYPES.ociIndex,
    manifests: entries.map((e) => ({ mediaType: e.mediaType, digest: e.digest, size: e.size, platform: parsePlatform(e.platform) })),
    ...(annotations && Object.keys(annotations).length ? { annotations } : {}),
  };
  return Buffer.from(JSON.stringify(document));
}

export function isIndexMediaType(mediaType: string | undefined): boolean {
  return mediaType === MEDIA_TYPES.ociIndex || mediaType === MEDIA_TYPES.dockerList;
}

/** The platforms an index document serves, as "os/arch[/variant]". */
export function indexPlatforms(document: { manifests?: { platform?: Platform }[] }): string[] {
  return indexManifests(document).map((m) => m.platform);
}

/** Each platform's manifest an index document names: platform ("os/arch[/variant]") and digest. */
export function indexManifests(document: { manifests?: { digest?: string; platform?: Platform }[] }): { platform: string; digest: string }[] {
  return (document.manifests ?? []).flatMap((m) => (m.platform ? [{ platform: formatPlatform(m.platform), digest: m.digest ?? '' }] : []));
}
