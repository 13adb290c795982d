/**
 * The few calls of the OCI distribution API that nx-cnb makes itself, with
 * Node's fetch: read a manifest, write an index. Images themselves move
 * through the engine (push, pull); this is for what the engine of Docker 20.10
 * cannot do, such as one reference that serves several platforms.
 */
import { createHash } from 'node:crypto';
import type { RegistryAuth } from '../engine/credentials';
import { redact } from '../engine/credentials';
import { ExpectedError } from '../errors';
import { type IndexEntry, isIndexMediaType, MEDIA_TYPES, renderIndex } from '../oci/image-index';
import { DOCKER_HUB, parseImageReference } from '../reference/image-reference';

export interface Manifest {
  mediaType: string;
  digest: string;
  size: number;
  body: Buffer;
}

export class RegistryError extends ExpectedError {
  constructor(what: string, reason: string) {
    super(`${what} failed: ${reason}`);
    this.name = 'RegistryError';
  }
}

/** Where a reference lives: the base URL of its repository and the tag or digest. */
export function manifestUrl(reference: string): { url: string; host: string; repository: string } {
  const parsed = parseImageReference(reference);
  if (!parsed) throw new ExpectedError(`${reference} is not an image reference`);
  const hub = parsed.registry === DOCKER_HUB;
  const host = hub ? 'registry-1.docker.io' : parsed.registry;
  const repository = hub && !parsed.path.includes('/') ? `library/${parsed.path}` : parsed.path;
  // Docker talks plain HTTP to loopback registries and HTTPS to the rest; so does nx-cnb.
  const scheme = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])(:\d+)?$/.test(host) ? 'http' : 'https';
  return { url: `${scheme}://${host}/v2/${repository}/manifests/${parsed.digest ?? parsed.tag ?? 'latest'}`, host: parsed.registry, repository };
}

const ACCEPT = [MEDIA_TYPES.ociIndex, MEDIA_TYPES.dockerList, MEDIA_TYPES.ociManifest, MEDIA_TYPES.dockerManifest].join(', ');

/** What nx-cnb asks of a registry; executors receive one, so they are tested against a fake. */
export interface Registry {
  /** The manifest (or index) a reference names, or undefined when the registry has none. */
  getManifest(reference: string): Promise<Manifest | undefined>;
  /** Writes a manifest or index under a reference and returns its digest. */
  putManifest(reference: string, mediaType: string, body: Buffer): Promise<string>;
}

export class RegistryClient implements Registry {
  private readonly tokens = new Map<string, string>();

  constructor(private readonly authFor: (host: string) => Promise<RegistryAuth | undefined> = async () => undefined) {}

  async getManifest(reference: string): Promise<Manifest | undefined> {
    const { url, host, repository } = manifestUrl(reference);
    const response = await this.request(`reading ${reference}`, url, host, repository, 'pull', { headers: { Accept: ACCEPT } });
    if (response.status === 404) return undefined;
    if (!response.ok) throw new RegistryError(`reading ${reference}`, await this.failure(response, host));
    const body = Buffer.from(await response.arrayBuffer());
    return {
      mediaType: (response.headers.get('content-type') ?? '').split(';')[0],
      digest: response.headers.get('docker-content-digest') ?? `sha256:${createHash('sha256').update(body).digest('hex')}`,
      size: body.length,
      body,
    };
  }

  async putManifest(reference: string, mediaType: string, body: Buffer): Promise<string> {
    const { url, host, repository } = manifestUrl(reference);
    const response = await this.request(`writing ${reference}`, url, host, repository, 'pull,push', {
      method: 'PUT',
      headers: { 'Content-Type': mediaType },
      body,
    });
    if (!response.ok) throw new RegistryError(`writing ${reference}`, await this.failure(response, host));
    return response.headers.get('docker-content-digest') ?? `sha256:${createHash('sha256').update(body).digest('hex')}`;
  }

  /** A request with the registry's auth: anonymous first, then basic or a bearer token as the registry asks. */
  private async request(what: string, url: string, host: string, repository: string, actions: string, init: RequestInit): Promise<Response> {
    const send = (authorization?: string) =>
      fetch(url, { ...init, headers: { ...(init.headers as Record<string, string>), ...(authorization ? { Authorization: authorization } : {}) } }).catch(
        (e: Error & { cause?: Error }) => {
          throw new RegistryError(what, `${e.cause?.message ?? e.message} (is the registry at ${host} up?)`);
        },
      );
    const cached = this.tokens.get(`${host}/${repository}/${actions}`);
    let response = await send(cached);
    if (response.status !== 401) return response;
    const challenge = response.headers.get('www-authenticate') ?? '';
    const auth = await this.authFor(host);
    if (/^basic/i.test(challenge)) {
      if (!auth) return response;
      response = await send(`Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`);
    } else if (/^bearer/i.test(challenge)) {
      const token = await this.token(what, challenge, repository, actions, auth);
      this.tokens.set(`${host}/${repository}/${actions}`, `Bearer ${token}`);
      response = await send(`Bearer ${token}`);
    }
    return response;
  }

  /** The token flow of the distribution spec: realm, service and scope from the challenge. */
  private async token(what: string, challenge: string, repository: string, actions: string, auth: RegistryAuth | undefined): Promise<string> {
    const params = Object.fromEntries([...challenge.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (!params.realm) throw new RegistryError(what, `the registry asked for a token without a realm (${challenge})`);
    const url = new URL(params.realm);
    if (params.service) url.searchParams.set('service', params.service);
    url.searchParams.set('scope', `repository:${repository}:${actions}`);
    const headers: Record<string, string> = auth ? { Authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}` } : {};
    const response = await fetch(url, { headers }).catch((e: Error) => {
      throw new RegistryError(what, `the token service ${url.host} did not answer: ${e.message}`);
    });
    if (!response.ok) throw new RegistryError(what, redact(`the token service said HTTP ${response.status}`, auth));
    const body = (await response.json()) as { token?: string; access_token?: string };
    const token = body.token ?? body.access_token;
    if (!token) throw new RegistryError(what, 'the token service gave no token');
    return token;
  }

  private async failure(response: Response, host: string): Promise<string> {
    const text = (await response.text().catch(() => '')).trim().slice(0, 300);
    const auth = await this.authFor(host).catch(() => undefined);
    return redact(`HTTP ${response.status}${text ? `: ${text}` : ''}`, auth);
  }
}

/** One platform's image as pushed: its reference in the index's repository. */
export interface PlatformManifest {
  platform: string;
  reference: string;
}

export interface WrittenIndex {
  digest: string;
  platforms: { platform: string; digest: string }[];
}

/**
 * Writes an OCI index at `reference` over images already pushed to the same
 * repository (a registry accepts an index only over manifests it holds
 * there), one per platform.
 */
export async function putIndex(client: Registry, reference: string, platforms: readonly PlatformManifest[]): Promise<WrittenIndex> {
  const entries: IndexEntry[] = [];
  for (const { platform, reference: source } of platforms) {
    const manifest = await client.getManifest(source);
    if (!manifest) throw new RegistryError(`writing the index ${reference}`, `${source} (${platform}) is not in the registry`);
    if (isIndexMediaType(manifest.mediaType))
      throw new RegistryError(`writing the index ${reference}`, `${source} (${platform}) is an index itself, not one platform's image`);
    entries.push({ mediaType: manifest.mediaType, digest: manifest.digest, size: manifest.size, platform });
  }
  const digest = await client.putManifest(reference, MEDIA_TYPES.ociIndex, renderIndex(entries));
  return { digest, platforms: entries.map((e) => ({ platform: e.platform, digest: e.digest })) };
}
