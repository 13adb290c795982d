import type { Package } from '../stack/image-contents';

/**
 * The licenses a Debian copyright file names, when it is machine-readable
 * (DEP-5: a "Format:" line, then "License:" fields). A free-form copyright
 * file names none here: guessing a license from prose would be dishonest.
 * Names are Debian's short names ("GPL-2+", "BSD-3-clause"), split where a
 * field offers a choice or a combination ("GPL-2+ or Artistic").
 */
export function licensesFromCopyright(text: string): string[] {
  if (!/^Format:\s*\S/m.test(text)) return [];
  const names = new Set<string>();
  for (const match of text.matchAll(/^License:[ \t]*(.+)$/gm)) {
    for (const name of match[1].split(/\s+(?:or|and)\s+|\s*,\s*|\s*\|\s*/i)) {
      const clean = name.trim().replace(/\s+with\s+.*$/i, '');
      if (clean && !/\s/.test(clean)) names.add(clean);
    }
  }
  return [...names].sort();
}

/**
 * Packages with the licenses of their copyright file
 * (/usr/share/doc/<name>/copyright). A package without one of its own shares
 * the folder of another package of its source (Debian policy 12.5 allows that
 * link only between packages of one source), so it takes that one's licenses.
 */
export function withLicenses(packages: Package[], copyrightFiles: { path: string; content: string }[]): Package[] {
  const byPackage = new Map<string, string[]>();
  for (const file of copyrightFiles) {
    const match = /\/usr\/share\/doc\/([^/]+)\/copyright$/.exec(file.path);
    if (match) byPackage.set(match[1], licensesFromCopyright(file.content));
  }
  const bySource = new Map<string, string[]>();
  for (const p of packages) {
    const own = byPackage.get(p.name);
    if (own?.length) bySource.set(p.source ?? p.name, own);
  }
  return packages.map((p) => {
    const licenses = byPackage.get(p.name) ?? bySource.get(p.source ?? p.name) ?? [];
    return licenses.length ? { ...p, licenses } : p;
  });
}
