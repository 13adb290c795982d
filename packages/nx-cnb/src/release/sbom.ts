import * as CDX from '@cyclonedx/cyclonedx-library';
import { PackageURL } from 'packageurl-js';
import { ExpectedError } from '../errors';
import type { Package } from '../stack/image-contents';

/** What an SBOM says about the image that holds the packages. */
export interface SbomSubject {
  /** The reference consumers use, e.g. "registry.example.com/acme/debian-bookworm-run:latest". */
  reference: string;
  imageId: string;
  platform: string;
  stackId: string;
  /** The distro as the image's labels name it (io.buildpacks.base.distro.*), for purls: "debian" and "12". */
  distro?: { name: string; version: string };
}

/** The CycloneDX version nx-cnb writes: 1.6, which current scanners (Trivy, Grype, Dependency-Track) read. */
export const SBOM_SPEC = CDX.Spec.Spec1dot6;

export const SBOM_FILE_SUFFIX = '.cdx.json';

/** The SBOM's file name for one platform of an image: "sbom.linux-amd64.cdx.json". */
export function sbomFileName(platform: string): string {
  return `sbom.${platform.replace(/\//g, '-')}${SBOM_FILE_SUFFIX}`;
}

// Debian's short license names (DEP-5) that differ from SPDX identifiers; the rest are SPDX ids already or stay names.
const DEBIAN_TO_SPDX: Record<string, string> = {
  'GPL-1': 'GPL-1.0-only',
  'GPL-1+': 'GPL-1.0-or-later',
  'GPL-2': 'GPL-2.0-only',
  'GPL-2+': 'GPL-2.0-or-later',
  'GPL-3': 'GPL-3.0-only',
  'GPL-3+': 'GPL-3.0-or-later',
  'LGPL-2': 'LGPL-2.0-only',
  'LGPL-2+': 'LGPL-2.0-or-later',
  'LGPL-2.1': 'LGPL-2.1-only',
  'LGPL-2.1+': 'LGPL-2.1-or-later',
  'LGPL-3': 'LGPL-3.0-only',
  'LGPL-3+': 'LGPL-3.0-or-later',
  'AGPL-3': 'AGPL-3.0-only',
  'AGPL-3+': 'AGPL-3.0-or-later',
  'GFDL-1.2+': 'GFDL-1.2-or-later',
  'GFDL-1.3+': 'GFDL-1.3-or-later',
  'BSD-2-clause': 'BSD-2-Clause',
  'BSD-3-clause': 'BSD-3-Clause',
  'BSD-4-clause': 'BSD-4-Clause',
  Expat: 'MIT',
  'Apache-2': 'Apache-2.0',
  'MPL-2': 'MPL-2.0',
  'Artistic-1': 'Artistic-1.0',
  'Artistic-2': 'Artistic-2.0',
  Zlib: 'Zlib',
  zlib: 'Zlib',
};

/** An SPDX identifier for a Debian license name, or undefined when SPDX has none (then it stays a named license). */
export function spdxId(debianName: string): string | undefined {
  const mapped = DEBIAN_TO_SPDX[debianName] ?? debianName;
  const fixed = CDX.SPDX.fixupSpdxId(mapped);
  return fixed && CDX.SPDX.isSupportedSpdxId(fixed) ? fixed : undefined;
}

/** The purl of a Debian package, as scanners expect it: pkg:deb/debian/libc6@2.36-9?arch=amd64&distro=debian-12&upstream=glibc. */
export function debianPurl(p: Package, distro?: { name: string; version: string }): string {
  const namespace = distro?.name || 'debian';
  const qualifiers: Record<string, string> = { arch: p.architecture };
  if (distro?.version) qualifiers.distro = `${namespace}-${distro.version}`;
  if (p.source && p.source !== p.name) qualifiers.upstream = p.source;
  return new PackageURL('deb', namespace, p.name, p.version, qualifiers, undefined).toString();
}

/**
 * The CycloneDX SBOM of one image on one platform, built with the CycloneDX
 * library: the image is the BOM's subject (a container component), each
 * package a library component with its version, purl, licenses, and its
 * architecture and source package as properties. The output is
 * deterministic (sorted, bom-refs from purls, no timestamp or serial), so the
 * same packages give the same file.
 */
export function imageSbom(subject: SbomSubject, packages: Package[], toolVersion: string): string {
  try {
    const bom = new CDX.Models.Bom();
    bom.metadata.component = new CDX.Models.Component(CDX.Enums.ComponentType.Container, subject.reference, {
      bomRef: subject.imageId,
      version: subject.imageId,
      properties: new CDX.Models.PropertyRepository([
        new CDX.Models.Property('nx-cnb:image:platform', subject.platform),
        new CDX.Models.Property('nx-cnb:image:stack-id', subject.stackId),
      ]),
    });
    bom.metadata.tools.components.add(new CDX.Models.Component(CDX.Enums.ComponentType.Application, 'nx-cnb', { version: toolVersion }));
    const seen = new Set<string>();
    for (const p of packages) {
      const purl = debianPurl(p, subject.distro);
      if (seen.has(purl)) continue;
      seen.add(purl);
      const component = new CDX.Models.Component(CDX.Enums.ComponentType.Library, p.name, { bomRef: purl, version: p.version, purl });
      for (const name of p.licenses ?? []) {
        const id = spdxId(name);
        component.licenses.add(id ? new CDX.Models.SpdxLicense(id) : new CDX.Models.NamedLicense(name));
      }
      component.properties.add(new CDX.Models.Property('nx-cnb:package:architecture', p.architecture));
      if (p.source) component.properties.add(new CDX.Models.Property('nx-cnb:package:source', p.source));
      bom.components.add(component);
      bom.metadata.component.dependencies.add(component.bomRef);
    }
    const serializer = new CDX.Serialize.JsonSerializer(new CDX.Serialize.JSON.Normalize.Factory(SBOM_SPEC));
    return serializer.serialize(bom, { sortLists: true, space: 2 }) + '\n';
  } catch (e) {
    throw new ExpectedError(`the CycloneDX library could not build the SBOM of ${subject.reference} (${subject.platform}): ${(e as Error).message}`, {
      cause: e,
    });
  }
}
