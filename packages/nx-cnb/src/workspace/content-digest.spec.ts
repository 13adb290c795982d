import { chmodSync, mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { contentDigest } from './content-digest';

describe('contentDigest', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'nx-cnb-digest-'));
    mkdirSync(join(root, 'bp/bin'), { recursive: true });
    writeFileSync(join(root, 'bp/buildpack.toml'), 'api = "0.10"\n');
    writeFileSync(join(root, 'bp/bin/build'), '#!/bin/sh\n');
    chmodSync(join(root, 'bp/bin/build'), 0o755);
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it("is a file's sha256", async () => {
    // printf 'api = "0.10"\n' | sha256sum
    expect(await contentDigest(join(root, 'bp/buildpack.toml'))).toBe('sha256:7847654686068dd9a3f8c4bc4988ef22b0b9b1cce70c7e1f93d8e768267fe179');
  });

  it('is undefined when nothing is there', async () => {
    expect(await contentDigest(join(root, 'none'))).toBeUndefined();
  });

  it.each<[string, () => void]>([
    ['a file changes', () => writeFileSync(join(root, 'bp/bin/build'), '#!/bin/sh\nexit 0\n')],
    ['a file is renamed', () => renameSync(join(root, 'bp/bin/build'), join(root, 'bp/bin/detect'))],
    ['an executable bit goes', () => chmodSync(join(root, 'bp/bin/build'), 0o644)],
    ['an empty folder appears', () => mkdirSync(join(root, 'bp/empty'))],
    ['a link appears', () => symlinkSync('build', join(root, 'bp/bin/detect'))],
  ])('of a folder changes when %s', async (_, change) => {
    const before = await contentDigest(join(root, 'bp'));
    change();
    expect(await contentDigest(join(root, 'bp'))).not.toBe(before);
  });

  it('of a folder stays when only times change', async () => {
    const before = await contentDigest(join(root, 'bp'));
    writeFileSync(join(root, 'bp/buildpack.toml'), 'api = "0.10"\n');
    expect(await contentDigest(join(root, 'bp'))).toBe(before);
  });
});
