import { APT_POLICY_SCRIPT, debianArchitecture, parseAptPolicy, updatesOf } from './apt-policy';

// As apt 2.6 (bookworm) prints it, with a package the mirror does not know left out and one without a candidate.
const POLICY = `libc6:
  Installed: 2.36-9+deb12u4
  Candidate: 2.36-9+deb12u10
  Version table:
     2.36-9+deb12u10 500
        500 http://deb.debian.org/debian bookworm/main amd64 Packages
 *** 2.36-9+deb12u4 100
        100 /var/lib/dpkg/status
tzdata:
  Installed: (none)
  Candidate: 2025b-0+deb12u1
  Version table:
     2025b-0+deb12u1 500
        500 http://deb.debian.org/debian bookworm-updates/main amd64 Packages
libfoo1:arm64:
  Installed: (none)
  Candidate: (none)
  Version table:
`;

describe('parseAptPolicy', () => {
  it('reads each package candidate, none where apt has none', () => {
    expect([...parseAptPolicy(POLICY)]).toEqual([
      ['libc6', '2.36-9+deb12u10'],
      ['tzdata', '2025b-0+deb12u1'],
      ['libfoo1', undefined],
    ]);
  });
});

describe('updatesOf', () => {
  it('lists newer candidates and packages the mirror no longer has, not equal or older ones', () => {
    const installed = [
      { name: 'libc6', version: '2.36-9+deb12u4', architecture: 'amd64' },
      { name: 'tzdata', version: '2025b-0+deb12u1', architecture: 'all' },
      { name: 'libfoo1', version: '1.0', architecture: 'arm64' },
      { name: 'unknown', version: '1.0', architecture: 'amd64' },
    ];
    expect(updatesOf(installed, parseAptPolicy(POLICY))).toEqual([
      { name: 'libc6', installed: '2.36-9+deb12u4', candidate: '2.36-9+deb12u10' },
      { name: 'libfoo1', installed: '1.0', candidate: undefined },
      { name: 'unknown', installed: '1.0', candidate: undefined },
    ]);
  });

  it('queries with a fixed script that takes the architecture and package names only as arguments, every expansion quoted', () => {
    const unquoted = APT_POLICY_SCRIPT.replace(/"[^"]*"/g, '');
    expect(unquoted).not.toContain('$');
    expect(APT_POLICY_SCRIPT).toContain('policy "$@"');
  });
});

describe('debianArchitecture', () => {
  it.each([
    ['linux/amd64', 'amd64'],
    ['linux/arm64', 'arm64'],
    ['linux/arm64/v8', 'arm64'],
    ['linux/arm/v7', 'armhf'],
    ['linux/arm/v6', 'armel'],
    ['linux/386', 'i386'],
    ['linux/ppc64le', 'ppc64el'],
    ['linux/s390x', 's390x'],
  ])('%s is %s to Debian', (platform, architecture) => {
    expect(debianArchitecture(platform)).toBe(architecture);
  });
});
