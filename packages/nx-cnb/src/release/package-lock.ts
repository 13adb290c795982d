import { Fields } from '../config/fields';
import { parseJson } from '../config/parse';
import { ConfigError } from '../errors';
import { DEBIAN_PACKAGE_NAME } from './apt-policy';

/**
 * A stack's package lock (packages.lock.json beside images.json): for each
 * image and platform, the version of every package the distro's mirror
 * offered when `check-updates --write` last asked. It is an input of the
 * image tasks, so a commit that changes it rebuilds the stack's images (and
 * the builders that use them); a Dockerfile that declares
 * `ARG locked_packages` is built with exactly these versions.
 */
export interface PackageLock {
  lockVersion: 1;
  /** image key -> platform -> package name -> version */
  images: Record<string, Record<string, Record<string, string>>>;
}

export const PACKAGE_LOCK_FILE = 'packages.lock.json';
export const LOCKED_PACKAGES_ARG = 'locked_packages';

export function parsePackageLock(file: string, text: string): PackageLock {
  const root = Fields.root(file, parseJson(file, text), 'a JSON object');
  root.onlyKeys(['lockVersion', 'images']);
  const version = root.table.lockVersion;
  if (version !== 1) throw root.error('lockVersion', '1 (the lock format this nx-cnb writes; run check-updates --write to rewrite it)');
  const images: PackageLock['images'] = {};
  const imagesTable = root.optionalTable('images');
  if (!imagesTable) throw root.error('images', 'a table of images');
  for (const image of Object.keys(imagesTable.table)) {
    const platforms = imagesTable.optionalTable(image)!;
    images[image] = {};
    for (const platform of Object.keys(platforms.table)) {
      const packages = platforms.optionalStringMap(platform)!;
      for (const name of Object.keys(packages)) {
        if (!DEBIAN_PACKAGE_NAME.test(name)) {
          throw new ConfigError(
            file,
            `images.${image}.${platform}`,
            'Debian package names (lower case letters, digits, "+", "-" and ".")',
            JSON.stringify(name),
          );
        }
        if (!/^[A-Za-z0-9.+~:-]+$/.test(packages[name])) {
          throw new ConfigError(file, `images.${image}.${platform}.${name}`, 'a Debian version', JSON.stringify(packages[name]));
        }
      }
      images[image][platform] = packages;
    }
  }
  return { lockVersion: 1, images };
}

/** The lock as written: keys sorted, so a change in the mirror is a small, readable diff. */
export function renderPackageLock(lock: PackageLock): string {
  const sorted = <T>(record: Record<string, T>, map: (v: T) => unknown) =>
    Object.fromEntries(
      Object.keys(record)
        .sort()
        .map((k) => [k, map(record[k])]),
    );
  return JSON.stringify({ lockVersion: 1, images: sorted(lock.images, (p) => sorted(p, (v) => sorted(v, (x) => x))) }, null, 2) + '\n';
}

/** The lock with one image and platform set to the versions given. */
export function withLockedVersions(lock: PackageLock | undefined, image: string, platform: string, versions: Record<string, string>): PackageLock {
  const images = { ...(lock?.images ?? {}) };
  images[image] = { ...(images[image] ?? {}), [platform]: { ...versions } };
  return { lockVersion: 1, images };
}

/** Whether a Dockerfile opts in to pinned builds: it declares the build arg `locked_packages`. */
export function optsIntoLock(dockerfile: string): boolean {
  return new RegExp(`^\\s*ARG\\s+${LOCKED_PACKAGES_ARG}(\\s|=|$)`, 'im').test(dockerfile);
}

/**
 * The build arg a pinning Dockerfile gets: "name=version" for every locked
 * package of that image and platform, space separated, as `apt-get install`
 * and `apt-get download` take them. Empty when the lock has no entry yet.
 */
export function lockedPackagesArg(lock: PackageLock | undefined, image: string, platform: string): string {
  const versions = lock?.images[image]?.[platform] ?? {};
  return Object.keys(versions)
    .sort()
    .map((name) => `${name}=${versions[name]}`)
    .join(' ');
}
