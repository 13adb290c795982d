import { createHash } from 'node:crypto';
import { isIndexMediaType, MEDIA_TYPES } from '../oci/image-index';
import { normalizeImageRef, withDigest } from '../reference/image-reference';
import type { Manifest, Registry } from '../registry/registry-client';

/** An in-memory registry: manifests by reference and by digest. The fake engine's pushes land here. */
export class FakeRegistry implements Registry {
  readonly manifests = new Map<string, Manifest>();

  async getManifest(reference: string): Promise<Manifest | undefined> {
    return this.manifests.get(this.key(reference));
  }

  async putManifest(reference: string, mediaType: string, body: Buffer): Promise<string> {
    const digest = `sha256:${createHash('sha256').update(body).digest('hex')}`;
    const manifest = { mediaType, digest, size: body.length, body };
    this.manifests.set(this.key(reference), manifest);
    this.manifests.set(this.key(withDigest(reference, digest)), manifest);
    return digest;
  }

  readonly copies: { source: string; target: string }[] = [];

  async copyImage(source: string, target: string): Promise<string> {
    const manifest = this.manifests.get(this.key(source));
    if (!manifest) throw new Error(`the registry does not have ${source}`);
    this.copies.push({ source, target });
    return this.putManifest(target, manifest.mediaType, manifest.body);
  }

  /** Labels of the images pushed, by their config's digest (the image ID). */
  readonly configLabels = new Map<string, Record<string, string>>();

  async imageLabels(reference: string): Promise<Record<string, string> | undefined> {
    const manifest = this.manifests.get(this.key(reference));
    if (!manifest || isIndexMediaType(manifest.mediaType)) return undefined;
    return this.configLabels.get((JSON.parse(manifest.body.toString('utf8')) as { config: { digest: string } }).config.digest) ?? {};
  }

  /** What a push of an image leaves: its manifest, naming the image's config by its ID. */
  pushed(reference: string, imageId: string, labels: Record<string, string> = {}): Promise<string> {
    this.configLabels.set(imageId, labels);
    return this.putManifest(reference, MEDIA_TYPES.dockerManifest, Buffer.from(JSON.stringify({ schemaVersion: 2, config: { digest: imageId } })));
  }

  /** The image ID a reference names in the registry (for an index, its entry for the platform), as a pull would find it. */
  async imageIdOf(reference: string, platform: string): Promise<string | undefined> {
    const document = this.document(reference) as
      { config?: { digest: string }; manifests?: { digest: string; platform: { os: string; architecture: string } }[] } | undefined;
    if (!document?.manifests) return document?.config?.digest;
    const entry = document.manifests.find((m) => `${m.platform.os}/${m.platform.architecture}` === platform);
    return entry && this.imageIdOf(withDigest(reference, entry.digest), platform);
  }

  /** The JSON of what a reference names. */
  document(reference: string): { manifests?: { digest: string; platform: { os: string; architecture: string } }[] } | undefined {
    const manifest = this.manifests.get(this.key(reference));
    return manifest && JSON.parse(manifest.body.toString('utf8'));
  }

  private key(reference: string): string {
    return normalizeImageRef(reference);
  }
}
