/** Platforms as OCI and Docker write them: "linux/arm64/v8" is os linux, architecture arm64, variant v8. Pure. */

const OSES = ['linux', 'windows'];
const ARCHES = ['amd64', 'arm64', 'arm', '386', 'ppc64le', 's390x', 'riscv64', 'mips64le', 'loong64'];

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

/** The reason a platform string such as "linux/arm64/v8" is invalid, or undefined if it is valid. */
export function platformProblem(platform: string): string | undefined {
  const parts = platform.split('/');
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => p === '')) return 'the form os/arch or os/arch/variant';
  const [os, arch, variant] = parts;
  if (!OSES.includes(os)) return `an os of ${OSES.join(', ')}`;
  if (!ARCHES.includes(arch)) return `an architecture of ${ARCHES.join(', ')}`;
  if (variant !== undefined && !/^v[0-9]+$/.test(variant)) return 'a variant such as v7 or v8';
  return undefined;
}

/** Splits a valid platform string. */
export function parsePlatform(platform: string): Platform {
  const [os, architecture, variant] = platform.split('/');
  return variant ? { os, architecture, variant } : { os, architecture };
}

export function formatPlatform(platform: Platform): string {
  return [platform.os, platform.architecture, platform.variant].filter(Boolean).join('/');
}

/**
 * Whether an image's os, architecture and variant serve a platform. The
 * variant is compared only when the platform names one: engines report
 * arm64 images as variant v8 and omit it as often.
 */
export function servesPlatform(image: { Os?: string; Architecture?: string; Variant?: string }, platform: string): boolean {
  const wanted = parsePlatform(platform);
  return image.Os === wanted.os && image.Architecture === wanted.architecture && (!wanted.variant || image.Variant === wanted.variant);
}

/** The suffix that names one platform's image beside the others: "linux/arm64" -> "linux-arm64". */
export function platformSuffix(platform: string): string {
  return platform.replace(/\//g, '-');
}

/** The reference of one platform's image: "acme/run:1.0" -> "acme/run:1.0-linux-arm64". */
export function platformReference(reference: string, platform: string): string {
  return `${reference}-${platformSuffix(platform)}`;
}
