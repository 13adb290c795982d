/**
 * A builder of several platforms. pack 0.40 creates one only in a registry
 * (--publish) and puts the lifecycle of the machine it runs on into every
 * platform's builder, so nx-cnb creates the builder once per platform, each
 * with that platform's lifecycle, and writes the index over them itself.
 * This module holds the rules of that; it does no I/O.
 */
import { posix } from 'node:path';
import { ConfigError } from '../errors';
import { formatPlatform, parsePlatform } from '../oci/platform';
import type { BuilderToml, ModuleConfig } from './builder-toml';
import { isSet } from './modules';

/** The platforms a builder's [[targets]] name with an architecture, in their order, each once. */
export function builderPlatforms(builder: BuilderToml): string[] {
  const platforms = builder.targets.filter((t) => isSet(t.arch)).map((t) => formatPlatform({ os: t.os, architecture: t.arch!, variant: t.variant }));
  return [...new Set(platforms)];
}

export function isMultiPlatform(builder: BuilderToml): boolean {
  return builderPlatforms(builder).length > 1;
}

// A lifecycle release tarball: lifecycle-v0.21.14+linux.arm64.tgz
const RELEASE_TARBALL = /^(.*\+linux\.)(amd64|arm64|ppc64le|s390x|arm)(\.tgz)$/;

export type PlatformLifecycle = { uri: string } | { version: string } | { image: string };

/**
 * The lifecycle one platform's builder gets: a release tarball named for
 * another architecture becomes its sibling for this one; a docker:// image
 * is narrowed to this platform by the caller; a version is pack's to fetch.
 */
export function lifecycleFor(builder: BuilderToml, platform: string): PlatformLifecycle | ConfigError {
  const { uri, version } = builder.lifecycle ?? {};
  if (isSet(version) || !isSet(uri)) return { version: version ?? '' };
  if (uri.startsWith('docker://')) return { image: uri.slice('docker://'.length) };
  const path = uri.replace(/^file:\/\//, '');
  const match = RELEASE_TARBALL.exec(posix.basename(path));
  if (!match) {
    return new ConfigError(
      builder.file,
      'lifecycle.uri',
      `a lifecycle for each target platform: a release tarball named "lifecycle-v<version>+linux.<arch>.tgz" with one beside it per architecture, a docker:// image of every platform, or a version`,
      `${JSON.stringify(uri)}, one file for ${builderPlatforms(builder).join(' and ')}`,
    );
  }
  const arch = parsePlatform(platform).architecture;
  return { uri: posix.join(posix.dirname(path), `${match[1]}${arch}${match[3]}`) };
}

/**
 * The builder.toml pack is given for one platform's builder, written
 * elsewhere than the original: local paths made absolute (pack resolves them
 * from the file's folder) and the lifecycle this platform needs.
 */
export function platformBuilderToml(builder: BuilderToml, configDir: string, lifecycle: { uri: string } | { version: string }): BuilderToml {
  const absolute = (uri: string) =>
    /^[a-z][a-z0-9+.-]*:\/\//i.test(uri) || uri.startsWith('urn:') || posix.isAbsolute(uri) ? uri : posix.join(configDir, uri);
  const module = (m: ModuleConfig): ModuleConfig => (isSet(m.uri) ? { ...m, uri: absolute(m.uri) } : m);
  return {
    ...builder,
    buildpacks: builder.buildpacks.map(module),
    extensions: builder.extensions.map(module),
    lifecycle: 'uri' in lifecycle ? { uri: absolute(lifecycle.uri) } : { version: lifecycle.version },
  };
}
