/**
 * Image references ("127.0.0.1:5000/acme/run:1.2", "ubuntu", "a/b@sha256:...")
 * in one place: parsing, the familiar form the engine compares names in,
 * splitting off tags and digests, the registry host, and validation. Pure.
 * The grammar is Docker's (distribution/reference), simplified where nx-cnb
 * never meets the difference.
 */

import { ConfigError, describeValue } from '../errors';

export const DOCKER_HUB = 'docker.io';

// A path component: lowercase alphanumerics, separated by ".", "_", "__" or dashes.
const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const DOMAIN_PART = '(?:[A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9])';
const DOMAIN = `${DOMAIN_PART}(?:\\.${DOMAIN_PART})*(?::[0-9]+)?`;
const TAG_PATTERN = '[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}';
const DIGEST_PATTERN = '[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[0-9a-fA-F]{32,}';

const NAME_COMPONENT = new RegExp(`^${COMPONENT}$`);
const PATH = new RegExp(`^${COMPONENT}(?:/${COMPONENT})*$`);
const DOMAIN_ONLY = new RegExp(`^${DOMAIN}$`);
const TAG = new RegExp(`^${TAG_PATTERN}$`);
const DIGEST = new RegExp(`^${DIGEST_PATTERN}$`);

export const TAG_EXPECTED = 'a Docker tag: letters, digits, "_", "." and "-", at most 128';
export const REPOSITORY_EXPECTED = 'a registry and namespace such as "127.0.0.1:5000/acme" (lowercase, no tag)';
export const NAME_COMPONENT_EXPECTED = 'lowercase letters, digits, ".", "_" or "-" (it becomes part of an image name)';
export const REFERENCE_EXPECTED = 'an image reference such as "registry.example.com/acme/run:1.2" (lowercase repository, optional tag or digest)';

export interface ImageReference {
  /** The registry host as written, or "docker.io" when the reference names none. */
  registry: string;
  /** Whether the text named the registry (so "docker.io/x" and "x" differ here). */
  explicitRegistry: boolean;
  /** The repository path inside the registry, e.g. "acme/run"; Docker Hub's one-part names stay as written ("ubuntu"). */
  path: string;
  tag?: string;
  digest?: string;
}

/** Docker's rule: the first part names a registry when it has a "." or ":" or is "localhost". */
function isRegistryPart(part: string): boolean {
  return part.includes('.') || part.includes(':') || part === 'localhost';
}

/** Parses a reference, or returns undefined when it is not one. */
export function parseImageReference(text: string): ImageReference | undefined {
  let rest = text.trim();
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) return undefined;
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) return undefined;
  }
  const slash = rest.indexOf('/');
  const first = slash >= 0 ? rest.slice(0, slash) : '';
  const explicitRegistry = slash >= 0 && isRegistryPart(first);
  if (explicitRegistry && !DOMAIN_ONLY.test(first)) return undefined;
  const path = explicitRegistry ? rest.slice(slash + 1) : rest;
  if (!PATH.test(path)) return undefined;
  return { registry: explicitRegistry ? first : DOCKER_HUB, explicitRegistry, path, ...(tag !== undefined ? { tag } : {}), ...(digest ? { digest } : {}) };
}

/** Why a text is not an image reference, or undefined when it is one. */
export function imageReferenceProblem(text: string): string | undefined {
  return parseImageReference(text) ? undefined : REFERENCE_EXPECTED;
}

/**
 * The form under which images are compared: Docker Hub's default prefixes
 * dropped and ":latest" added when there is neither tag nor digest, as the
 * engine does when it resolves a name. Text that is no reference is only trimmed.
 */
export function normalizeImageRef(ref: string): string {
  let name = ref.trim();
  for (const prefix of ['docker.io/library/', 'index.docker.io/library/', 'docker.io/', 'index.docker.io/']) {
    if (name.startsWith(prefix)) {
      name = name.slice(prefix.length);
      break;
    }
  }
  if (name.includes('@')) return name;
  const lastSegment = name.slice(name.lastIndexOf('/') + 1);
  return lastSegment.includes(':') ? name : `${name}:latest`;
}

/** "host:5000/a/b:v1" -> ["host:5000/a/b", "v1"]; no tag gives "latest". A registry port is not a tag. */
export function splitTag(ref: string): [repository: string, tag: string] {
  const colon = ref.lastIndexOf(':');
  if (colon > ref.lastIndexOf('/')) return [ref.slice(0, colon), ref.slice(colon + 1)];
  return [ref, 'latest'];
}

/** The same repository under another tag. */
export function withTag(ref: string, tag: string): string {
  return `${splitTag(ref)[0]}:${tag}`;
}

/** The same repository at a digest: "host:5000/a/b:v1" -> "host:5000/a/b@sha256:...". */
export function withDigest(ref: string, digest: string): string {
  return `${splitTag(ref.split('@')[0])[0]}@${digest}`;
}

/** The registry host of a reference: "127.0.0.1:5000/a/b:1" -> "127.0.0.1:5000"; "a/b" -> "docker.io". */
export function registryHost(ref: string): string {
  const first = ref.split('/')[0];
  return ref.includes('/') && isRegistryPart(first) ? first : DOCKER_HUB;
}

/** The references an image is tagged with: "<repository>/<name>:<tag>" for each tag. */
export function imageReferences(name: string, repository: string | undefined, tags: readonly string[] = ['latest']): string[] {
  const prefix = repository ? `${repository.replace(/\/+$/, '')}/` : '';
  return tags.map((tag) => `${prefix}${name}:${tag}`);
}

export function isTag(value: unknown): value is string {
  return typeof value === 'string' && TAG.test(value);
}

/** A registry and namespace to prefix names with ("127.0.0.1:5000/acme"): a reference without tag or digest. */
export function isRepository(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const parsed = parseImageReference(value);
  return !!parsed && parsed.tag === undefined && parsed.digest === undefined && !value.endsWith(':');
}

/** One part of an image name, such as an os name or a stack folder. */
export function isNameComponent(value: unknown): value is string {
  return typeof value === 'string' && NAME_COMPONENT.test(value);
}

/** Checks a repository and tags wherever they come from (nx.json, a target's options), naming the field at fault. */
export function checkNaming(file: string, fieldPrefix: string, naming: { repository?: unknown; tags?: unknown }): void {
  const { repository, tags } = naming;
  if (repository !== undefined && !isRepository(repository))
    throw new ConfigError(file, `${fieldPrefix}repository`, REPOSITORY_EXPECTED, describeValue(repository));
  if (tags === undefined) return;
  if (!Array.isArray(tags) || tags.length === 0) throw new ConfigError(file, `${fieldPrefix}tags`, 'a non-empty array of tags', describeValue(tags));
  tags.forEach((tag, i) => {
    if (!isTag(tag)) throw new ConfigError(file, `${fieldPrefix}tags[${i}]`, TAG_EXPECTED, describeValue(tag));
  });
}
