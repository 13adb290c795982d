import type { Package } from '../stack/image-contents';
import { diffImages, diffPackages, removals, renderDiffMarkdown, renderDiffText } from './package-diff';

const pkg = (name: string, version: string, architecture = 'amd64'): Package => ({ name, version, architecture });

describe('diffPackages', () => {
  it('sorts each change into added, removed, upgraded and downgraded by Debian version order', () => {
    const diff = diffPackages(
      [pkg('curl', '7.88.1-10+deb12u5'), pkg('libssl3', '3.0.15-1~deb12u1'), pkg('zip', '3.0-13'), pkg('tzdata', '2024a-0+deb12u1', 'all')],
      [pkg('curl', '7.88.1-10+deb12u12'), pkg('libssl3', '3.0.11-1~deb12u2'), pkg('unzip', '6.0-28'), pkg('tzdata', '2024a-0+deb12u1', 'all')],
    );
    expect(diff).toEqual({
      added: [pkg('unzip', '6.0-28')],
      removed: [pkg('zip', '3.0-13')],
      upgraded: [{ name: 'curl', architecture: 'amd64', from: '7.88.1-10+deb12u5', to: '7.88.1-10+deb12u12' }],
      downgraded: [{ name: 'libssl3', architecture: 'amd64', from: '3.0.15-1~deb12u1', to: '3.0.11-1~deb12u2' }],
      unchanged: 1,
    });
  });

  it('tells packages of two architectures apart', () => {
    const diff = diffPackages([pkg('libc6', '2.36', 'amd64')], [pkg('libc6', '2.36', 'amd64'), pkg('libc6', '2.36', 'i386')]);
    expect(diff.added).toEqual([pkg('libc6', '2.36', 'i386')]);
    expect(diff.unchanged).toBe(1);
  });
});

describe('diffImages', () => {
  const baseline = [
    { image: 'run', platform: 'linux/amd64', packages: [pkg('zip', '3.0-13'), pkg('openssl', '3.0.11')] },
    { image: 'run-old', platform: 'linux/amd64', packages: [pkg('gone', '1')] },
  ];
  const current = [
    { image: 'run', platform: 'linux/amd64', packages: [pkg('unzip', '6.0-28'), pkg('openssl', '3.0.11')] },
    { image: 'run', platform: 'linux/arm64', packages: [pkg('openssl', '3.0.11', 'arm64')] },
  ];
  const diffs = diffImages(baseline, current);

  it('pairs images by key and platform; a new image adds everything, a dropped one removes everything', () => {
    expect(diffs.map((d) => [d.image, d.platform, d.inBaseline, d.inCurrent])).toEqual([
      ['run', 'linux/amd64', true, true],
      ['run', 'linux/arm64', false, true],
      ['run-old', 'linux/amd64', true, false],
    ]);
    expect(removals(diffs)).toEqual(['run (linux/amd64): zip 3.0-13', 'run-old (linux/amd64): gone 1']);
  });

  it('renders for a terminal, one line per change', () => {
    expect(renderDiffText(diffs, 'the last publish')).toBe(
      [
        'package changes against the last publish:',
        'run (linux/amd64): 1 added, 1 removed, 1 unchanged',
        '  + unzip 6.0-28',
        '  - zip 3.0-13',
        'run (linux/arm64) (new image): 1 added, 0 unchanged',
        '  + openssl 3.0.11',
        'run-old (linux/amd64) (no longer built): 1 removed, 0 unchanged',
        '  - gone 1',
        '',
      ].join('\n'),
    );
  });

  it('renders Markdown tables, escaping what would break a cell', () => {
    const md = renderDiffMarkdown(diffImages([], [{ image: 'run', platform: 'linux/amd64', packages: [pkg('a|b', '1')] }]), 'nothing');
    expect(md).toContain('### run (linux/amd64) (new image)');
    expect(md).toContain('| added | a\\|b | | 1 |');
  });
});
