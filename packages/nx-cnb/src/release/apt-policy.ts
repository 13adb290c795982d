import type { Package } from '../stack/image-contents';
import { compareDebianVersions } from './debian-version';

/**
 * What `apt-cache policy <names...>` says of each package: the version the
 * mirror would install now (its candidate), or none when no source offers it.
 * Names may carry an architecture ("libc6:arm64"), which is dropped.
 */
export function parseAptPolicy(text: string): Map<string, string | undefined> {
  const candidates = new Map<string, string | undefined>();
  let current: string | undefined;
  for (const line of text.split('\n')) {
    const header = /^(\S+?)(?::[a-z0-9-]+)?:$/.exec(line);
    if (header) {
      current = header[1];
      candidates.set(current, undefined);
      continue;
    }
    const candidate = /^\s+Candidate:\s*(\S+)/.exec(line);
    if (candidate && current) candidates.set(current, candidate[1] === '(none)' ? undefined : candidate[1]);
  }
  return candidates;
}

/** A package the mirror has a newer version of, or no longer has at all. */
export interface Update {
  name: string;
  installed: string;
  /** undefined: the mirror offers no version of it any more. */
  candidate: string | undefined;
}

/** The packages whose candidate differs from what is installed: newer versions, and packages the mirror lacks. */
export function updatesOf(installed: Package[], candidates: Map<string, string | undefined>): Update[] {
  const updates: Update[] = [];
  for (const p of installed) {
    const candidate = candidates.get(p.name);
    if (candidate === undefined) updates.push({ name: p.name, installed: p.version, candidate: undefined });
    else if (compareDebianVersions(candidate, p.version) > 0) updates.push({ name: p.name, installed: p.version, candidate });
  }
  return updates;
}

/** Debian's rule for package names (policy 5.6.1): what may reach apt as an argument. */
export const DEBIAN_PACKAGE_NAME = /^[a-z0-9][a-z0-9+.-]+$/;

/**
 * The fixed script a query container runs: refresh the package lists from the
 * image's own sources for one Debian architecture ($1), then ask for the
 * candidates. Package names arrive as arguments ("$@"), never inside the
 * script, and every expansion is quoted, so none is read as shell.
 * APT::Architecture makes apt on the engine's own platform answer for
 * another one: the mirror's index of that architecture, with no emulation.
 */
export const APT_POLICY_SCRIPT =
  'set -e; arch="APT::Architecture=$1"; archs="APT::Architectures=$1"; shift; ' +
  'apt-get -o "$arch" -o "$archs" update -qq >/dev/null; exec apt-cache -o "$arch" -o "$archs" policy "$@"';

// OCI architecture (and variant) -> Debian architecture, where the names differ.
const DEBIAN_ARCHITECTURES: Record<string, string> = {
  '386': 'i386',
  ppc64le: 'ppc64el',
  mips64le: 'mips64el',
  'arm/v5': 'armel',
  'arm/v6': 'armel',
  arm: 'armhf',
};

/** The Debian architecture of an OCI platform: "linux/arm64" -> "arm64", "linux/arm/v7" -> "armhf", "linux/386" -> "i386". */
export function debianArchitecture(platform: string): string {
  const [, architecture, variant] = platform.split('/');
  return DEBIAN_ARCHITECTURES[`${architecture}/${variant}`] ?? DEBIAN_ARCHITECTURES[architecture] ?? architecture;
}
