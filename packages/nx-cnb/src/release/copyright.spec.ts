import { licensesFromCopyright, withLicenses } from './copyright';

const DEP5 = `Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: zlib

Files: *
Copyright: 1995-2013 Jean-loup Gailly and Mark Adler
License: Zlib

Files: debian/*
Copyright: 2000 Someone
License: GPL-2+ or Artistic, BSD-3-clause
 The full text follows here.
 License: not-a-field-this-is-indented

License: GPL-2+
 On Debian systems...
`;

describe('licensesFromCopyright', () => {
  it('collects the short names of a machine-readable copyright file, split at choices', () => {
    expect(licensesFromCopyright(DEP5)).toEqual(['Artistic', 'BSD-3-clause', 'GPL-2+', 'Zlib']);
  });

  it('names nothing for a free-form copyright file rather than guess from prose', () => {
    expect(licensesFromCopyright('This is the Debian prepackaged version of tzdata.\n\nLicense: public domain, mostly\n')).toEqual([]);
  });

  it('drops exceptions after "with"', () => {
    expect(licensesFromCopyright('Format: x\n\nLicense: GPL-3+ with GCC-exception\n')).toEqual(['GPL-3+']);
  });
});

describe('withLicenses', () => {
  it('gives each package its own copyright licenses, or those of a package of the same source', () => {
    const packages = [
      { name: 'zlib1g', version: '1', architecture: 'amd64', source: 'zlib' },
      { name: 'zlib1g-dev', version: '1', architecture: 'amd64', source: 'zlib' },
      { name: 'tzdata', version: '1', architecture: 'all' },
    ];
    const result = withLicenses(packages, [
      { path: '/usr/share/doc/zlib1g/copyright', content: DEP5 },
      { path: '/usr/share/doc/tzdata/copyright', content: 'free text' },
    ]);
    expect(result.map((p) => p.licenses)).toEqual([['Artistic', 'BSD-3-clause', 'GPL-2+', 'Zlib'], ['Artistic', 'BSD-3-clause', 'GPL-2+', 'Zlib'], undefined]);
  });
});
