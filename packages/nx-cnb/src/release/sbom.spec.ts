import * as CDX from '@cyclonedx/cyclonedx-library';
import type { Package } from '../stack/image-contents';
import { debianPurl, imageSbom, sbomFileName, spdxId } from './sbom';

const packages: Package[] = [
  { name: 'libc6', version: '2.36-9+deb12u7', architecture: 'amd64', source: 'glibc', licenses: ['GPL-2+', 'LGPL-2.1+', 'Unicode-DFS-2016'] },
  { name: 'tzdata', version: '2024a-0+deb12u1', architecture: 'all' },
  { name: 'libgcrypt20', version: '1:1.10.1-3', architecture: 'amd64', licenses: ['public-domain'] },
];
const subject = {
  reference: '127.0.0.1:5000/acme/debian-bookworm-run:latest',
  imageId: 'sha256:' + 'a'.repeat(64),
  platform: 'linux/amd64',
  stackId: 'io.buildpacks.stacks.bookworm',
  distro: { name: 'debian', version: '12' },
};

describe('imageSbom', () => {
  const json = imageSbom(subject, packages, '0.1.0');
  const bom = JSON.parse(json);

  it('is valid CycloneDX 1.6, by the library validator and its JSON schema', async () => {
    expect(bom).toMatchObject({ bomFormat: 'CycloneDX', specVersion: '1.6' });
    expect(await new CDX.Validation.JsonStrictValidator(CDX.Spec.Version.v1dot6).validate(json)).toBeNull();
  });

  it('names the image as its subject and every package as a library with purl, architecture and source', () => {
    expect(bom.metadata.component).toMatchObject({ type: 'container', name: subject.reference, version: subject.imageId });
    expect(bom.components.map((c: { name: string }) => c.name)).toEqual(['libc6', 'libgcrypt20', 'tzdata']);
    const libc = bom.components.find((c: { name: string }) => c.name === 'libc6');
    expect(libc).toMatchObject({
      type: 'library',
      version: '2.36-9+deb12u7',
      purl: 'pkg:deb/debian/libc6@2.36-9+deb12u7?arch=amd64&distro=debian-12&upstream=glibc',
      properties: expect.arrayContaining([
        { name: 'nx-cnb:package:architecture', value: 'amd64' },
        { name: 'nx-cnb:package:source', value: 'glibc' },
      ]),
    });
    expect(libc.licenses).toEqual(
      expect.arrayContaining([{ license: { id: 'GPL-2.0-or-later' } }, { license: { id: 'LGPL-2.1-or-later' } }, { license: { id: 'Unicode-DFS-2016' } }]),
    );
    expect(bom.components.find((c: { name: string }) => c.name === 'libgcrypt20').licenses).toEqual([{ license: { name: 'public-domain' } }]);
    expect(bom.components.find((c: { name: string }) => c.name === 'tzdata').licenses).toBeUndefined();
  });

  it('is the same text for the same packages in any order (no timestamp, no random refs)', () => {
    expect(imageSbom(subject, [...packages].reverse(), '0.1.0')).toBe(json);
  });

  it('records the image as depending on each package', () => {
    const root = bom.dependencies.find((d: { ref: string }) => d.ref === subject.imageId);
    expect(root.dependsOn).toHaveLength(3);
  });
});

describe('purls, license ids and file names', () => {
  it('encodes epochs and omits upstream when the source is the package', () => {
    expect(debianPurl(packages[2], { name: 'debian', version: '12' })).toBe('pkg:deb/debian/libgcrypt20@1:1.10.1-3?arch=amd64&distro=debian-12');
    expect(debianPurl({ name: 'x', version: '1', architecture: 'arm64', source: 'x' })).toBe('pkg:deb/debian/x@1?arch=arm64');
  });

  it('maps Debian short names to SPDX ids and leaves the rest as names', () => {
    expect(spdxId('GPL-3+')).toBe('GPL-3.0-or-later');
    expect(spdxId('BSD-3-clause')).toBe('BSD-3-Clause');
    expect(spdxId('Expat')).toBe('MIT');
    expect(spdxId('MIT')).toBe('MIT');
    expect(spdxId('public-domain')).toBeUndefined();
  });

  it('names one SBOM per platform', () => {
    expect(sbomFileName('linux/arm64/v8')).toBe('sbom.linux-arm64-v8.cdx.json');
  });
});
