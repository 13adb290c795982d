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
 * image's own sources, then ask for the candidates. Package names arrive as
 * arguments ("$@"), never inside the script, so none is read as shell.
 */
export const APT_POLICY_SCRIPT = 'set -e; apt-get update -qq >/dev/null; exec apt-cache policy "$@"';
