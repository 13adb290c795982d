import { diffImages } from './package-diff';
import { nextPatchVersion, renderPublished, renderReleaseNotes, sameImages } from './release-notes';

describe('renderReleaseNotes', () => {
  const diffs = diffImages(
    [{ image: 'run', platform: 'linux/amd64', packages: [{ name: 'zip', version: '3.0-13', architecture: 'amd64' }] }],
    [{ image: 'run', platform: 'linux/amd64', packages: [{ name: 'unzip', version: '6.0-28', architecture: 'amd64' }] }],
  );
  const input = {
    project: 'acme',
    version: '1.2.4',
    date: new Date('2026-01-02T03:04:05Z'),
    baseline: 'ref main',
    images: [
      {
        image: 'run',
        platform: 'linux/amd64',
        references: ['r/acme-run:latest'],
        imageId: 'sha256:' + 'b'.repeat(64),
        digest: null,
        size: 12_345_678,
        layers: 3,
        packages: 1,
      },
    ],
    diffs,
  };

  it('lists images, package changes, removals and the changed stack files with their diff', () => {
    const notes = renderReleaseNotes({
      ...input,
      config: { since: 'abc1234', files: [{ status: 'M', path: 'stacks/acme/base/stack.toml' }], patch: '-zip\n+unzip\n' },
    });
    expect(notes).toContain('# acme 1.2.4');
    expect(notes).toContain('Released 2026-01-02. Compared with ref main.');
    expect(notes).toContain('**Removed packages** (released with --allowRemovals): run (linux/amd64): zip 3.0-13.');
    expect(notes).toContain('| run | linux/amd64 | `r/acme-run:latest` | `sha256:bbbbbbbbbbbb` | not yet published | 12.3 MB | 3 | 1 |');
    expect(notes).toContain('- run (linux/amd64): 1 added, 1 removed, 0 unchanged');
    expect(notes).toContain('| added | unzip | | 6.0-28 |');
    expect(notes).toContain('- M `stacks/acme/base/stack.toml`\n\n```diff\n-zip\n+unzip\n```');
    expect(notes).not.toMatch(/\n\n\n/);
  });

  it('says so when the baseline names no commit', () => {
    expect(renderReleaseNotes({ ...input, config: undefined })).toContain('The baseline names no commit');
  });

  it('renders the published digests publish appends', () => {
    expect(renderPublished([{ reference: 'r/acme-run:1.2.4', digest: 'sha256:c' }])).toBe('## Published\n\n- `r/acme-run:1.2.4@sha256:c`\n');
  });
});

describe('renderPublished', () => {
  it('lists each platform digest under an index', () => {
    const index = {
      reference: 'r/acme-run:1.2.4',
      digest: 'sha256:i',
      platforms: [
        { platform: 'linux/amd64', digest: 'sha256:a' },
        { platform: 'linux/arm64', digest: 'sha256:b' },
      ],
    };
    expect(renderPublished([index])).toBe('## Published\n\n- `r/acme-run:1.2.4@sha256:i`\n  - linux/amd64: `sha256:a`\n  - linux/arm64: `sha256:b`\n');
  });
});

describe('sameImages', () => {
  const a = { image: 'run', platform: 'linux/amd64', imageId: 'sha256:a' };
  const b = { image: 'run', platform: 'linux/arm64', imageId: 'sha256:b' };
  it('holds for the same images and platforms in any order, not for a missing platform or another ID', () => {
    expect(sameImages([a, b], [b, a])).toBe(true);
    expect(sameImages([a], [a, b])).toBe(false);
    expect(sameImages([a, b], [a, { ...b, imageId: 'sha256:c' }])).toBe(false);
  });
});

describe('nextPatchVersion', () => {
  it('bumps the patch of the highest release tag or published version of the project', () => {
    expect(nextPatchVersion('acme', ['acme@1.2.3', 'acme@1.10.0', 'other@9.9.9', 'acme@banana'])).toBe('1.10.1');
    expect(nextPatchVersion('acme', ['acme@1.2.3'], ['1.3.0'])).toBe('1.3.1');
    expect(nextPatchVersion('acme', [])).toBe('0.1.0');
  });
});
