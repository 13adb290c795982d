import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeEngine } from '../../testing/fake-engine';
import { fakeIo } from '../../testing/fake-io';
import { commitAll, imageReceiptOf, platformImageOf, releaseImageOf, sourcesNow, writeImageReceipt } from '../../testing/receipts';
import { releaseNotes } from './release-notes';
import { writeFileIn } from '../../testing/files';

const RUN = '127.0.0.1:5000/acme/acme-run:latest';
const PLATFORMS = ['linux/amd64', 'linux/arm64'];
// An image ID per build and platform: sha256:0a0a... for the old amd64 image, sha256:1b1b... for the new arm64 one.
const id = (build: 'old' | 'new', platform: string) => `sha256:${(build === 'old' ? '0' : '1') + (platform.endsWith('amd64') ? 'a' : 'b')}`.padEnd(71, 'f');
const options = (extra = {}) => ({
  project: 'acme',
  stack: 'stacks/acme',
  images: [releaseImageOf('run')],
  publishPath: 'dist/stacks/acme/publish',
  stackFiles: ['stacks/acme/stack.toml', 'stacks/acme/run.Dockerfile'],
  outputPath: 'dist/stacks/acme/release',
  ...extra,
});

describe('releaseNotes', () => {
  let root: string;
  const write = (path: string, content: string) => writeFileIn(root, path, content);
  const git = (...args: string[]) =>
    execFileSync('git', args, {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@e', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@e' },
    });
  const notes = () => readFileSync(join(root, 'dist/stacks/acme/release/release-notes.md'), 'utf8');

  beforeEach(async () => {
    root = mkdtempSync(join(tmpdir(), 'nx-cnb-release-notes-'));
    write('.gitignore', 'dist\n');
    write('stacks/acme/stack.toml', 'packages = "zip"\n');
    write('stacks/acme/run.Dockerfile', 'FROM debian\n');
    git('init', '-q', '-b', 'main');
    git('add', '-A');
    git('commit', '-qm', 'zip');
    // Published from that commit as 0.1.0: zip on both platforms.
    writeImageReceipt(
      root,
      'dist/stacks/acme/publish/run',
      imageReceiptOf({ image: 'run', references: [RUN], platforms: PLATFORMS.map((p) => platformImageOf(p, id('old', p), ['libc6=2.36-9', 'zip=3.0-13'])) }),
    );
    const commit = git('rev-parse', 'HEAD').trim();
    write('dist/stacks/acme/publish/receipt.json', JSON.stringify({ receiptVersion: 2, published: [], commit, version: '0.1.0', files: [] }));
    // Now, committed and built: unzip instead of zip.
    write('stacks/acme/stack.toml', 'packages = "unzip"\n');
    commitAll(root, 'unzip');
    writeImageReceipt(
      root,
      'dist/stacks/acme/run',
      imageReceiptOf({
        image: 'run',
        references: [RUN],
        platforms: PLATFORMS.map((p) => platformImageOf(p, id('new', p), ['libc6=2.36-9', 'unzip=6.0-28'])),
        sources: (await sourcesNow(root, releaseImageOf('run'))) ?? null,
      }),
    );
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('writes nothing while a removal is not allowed', async () => {
    await expect(releaseNotes(options(), fakeIo(root, new FakeEngine()))).rejects.toThrow('2 package(s) removed since the baseline');
    expect(existsSync(join(root, 'dist/stacks/acme/release/release-notes.md'))).toBe(false);
    expect(existsSync(join(root, 'dist/stacks/acme/release/release.json'))).toBe(false);
  });

  it('writes notes of every image and platform, the next version and the stack files changed since the baseline commit', async () => {
    const { version } = await releaseNotes(options({ allowRemovals: true }), fakeIo(root, new FakeEngine()));
    expect(version).toBe('0.1.1');
    const text = notes();
    expect(text).toContain('# acme 0.1.1\n\nReleased 2026-01-02. Compared with the last publish (dist/stacks/acme/publish).');
    expect(text).toContain('**Removed packages** (released with --allowRemovals): run (linux/amd64): zip 3.0-13; run (linux/arm64): zip 3.0-13.');
    for (const p of PLATFORMS) {
      expect(text).toContain(`| run | ${p} | \`${RUN}\` | \`${id('new', p).slice(0, 19)}\` | not yet published | 10.0 MB | 3 | 2 |`);
      expect(text).toContain(`- run (${p}): 1 added, 1 removed, 1 unchanged`);
    }
    expect(text).toContain('- M `stacks/acme/stack.toml`');
    expect(text).toContain('-packages = "zip"\n+packages = "unzip"');
    expect(text).not.toContain('run.Dockerfile');
    // What publish checks the notes against: every image and platform, by image ID.
    expect(JSON.parse(readFileSync(join(root, 'dist/stacks/acme/release/release.json'), 'utf8'))).toEqual({
      project: 'acme',
      version: '0.1.1',
      baseline: 'the last publish (dist/stacks/acme/publish)',
      images: PLATFORMS.map((platform) => ({ image: 'run', platform, imageId: id('new', platform) })),
    });
  });

  it('follows the newest release tag of the project, and takes a version given', async () => {
    git('tag', 'acme@0.4.2');
    git('tag', 'other@9.0.0');
    expect((await releaseNotes(options({ allowRemovals: true }), fakeIo(root, new FakeEngine()))).version).toBe('0.4.3');
    expect((await releaseNotes(options({ allowRemovals: true, version: '2.0.0' }), fakeIo(root, new FakeEngine()))).version).toBe('2.0.0');
    await expect(releaseNotes(options({ version: 'v2' }), fakeIo(root, new FakeEngine()))).rejects.toThrow(
      'nx-cnb:release-notes: --version: expected a version MAJOR.MINOR.PATCH such as 1.4.2, found "v2"',
    );
  });
});
