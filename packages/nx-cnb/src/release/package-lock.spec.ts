import { lockedPackagesArg, optsIntoLock, parsePackageLock, renderPackageLock, withLockedVersions } from './package-lock';

const FILE = 'stacks/acme/packages.lock.json';

describe('package lock', () => {
  const lock = withLockedVersions(withLockedVersions(undefined, 'run', 'linux/amd64', { zlib1g: '1:1.2.13', libc6: '2.36-9' }), 'build', 'linux/amd64', {
    gcc: '4:12.2.0-3',
  });

  it('renders sorted and reads back what it wrote', () => {
    const text = renderPackageLock(lock);
    expect(text.indexOf('"build"')).toBeLessThan(text.indexOf('"run"'));
    expect(text.indexOf('"libc6"')).toBeLessThan(text.indexOf('"zlib1g"'));
    expect(parsePackageLock(FILE, text)).toEqual(lock);
  });

  it('gives a pinning Dockerfile name=version pairs, and nothing for an image the lock lacks', () => {
    expect(lockedPackagesArg(lock, 'run', 'linux/amd64')).toBe('libc6=2.36-9 zlib1g=1:1.2.13');
    expect(lockedPackagesArg(lock, 'run', 'linux/arm64')).toBe('');
    expect(lockedPackagesArg(undefined, 'run', 'linux/amd64')).toBe('');
  });

  it('knows a Dockerfile that opts in by declaring ARG locked_packages', () => {
    expect(optsIntoLock('FROM x\nARG packages\nARG locked_packages\nRUN y')).toBe(true);
    expect(optsIntoLock('FROM x\narg locked_packages=""\n')).toBe(true);
    expect(optsIntoLock('FROM x\nARG locked_packages_extra\nRUN echo locked_packages')).toBe(false);
  });

  it.each([
    [
      '{"lockVersion": 2, "images": {}}',
      `${FILE}: lockVersion: expected 1 (the lock format this nx-cnb writes; run check-updates --write to rewrite it), found number 2`,
    ],
    ['{"lockVersion": 1}', `${FILE}: images: expected a table of images, found nothing`],
    ['{"lockVersion": 1, "images": {"run": {"linux/amd64": {"$(reboot)": "1"}}}}', `${FILE}: images.run.linux/amd64: expected Debian package names`],
    [
      '{"lockVersion": 1, "images": {"run": {"linux/amd64": {"libc6": "1 2"}}}}',
      `${FILE}: images.run.linux/amd64.libc6: expected a Debian version, found "1 2"`,
    ],
    ['{"lockVersion": 1, "images": {"run": {"linux/amd64": {"libc6": 1}}}}', `${FILE}: images.run.linux/amd64.libc6: expected a string, found number 1`],
    ['{"lockVersion": 1, "images": {}, "extra": 1}', `${FILE}: extra: expected one of the known keys (lockVersion, images), found an unknown key`],
    ['{"lockVersion": 1,', `${FILE}: (syntax at line 1, column 19): expected valid JSON`],
  ])('refuses %s with one clear line', (text, message) => {
    expect(() => parsePackageLock(FILE, text)).toThrow(message);
  });
});
