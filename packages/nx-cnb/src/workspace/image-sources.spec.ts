import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commitAll } from '../testing/receipts';
import { buildIdentity, imageSourcePaths, imageSources } from './image-sources';
import { writeFileIn } from '../testing/files';

describe('image sources', () => {
  let root: string;
  const write = (path: string, content: string) => writeFileIn(root, path, content);
  const inferred = { stack: 'stacks/acme', image: 'run', outputPath: 'dist/stacks/acme/run' };
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'nx-cnb-sources-'));
    write('stacks/acme/stack.toml', 'id = "acme"\n');
    write('stacks/acme/run.Dockerfile', 'FROM x\n');
    commitAll(root);
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('names the options as inferred and as the executor gets them (with schema defaults) alike', () => {
    expect(buildIdentity(inferred)).toEqual(buildIdentity({ ...inferred, tags: ['latest'], archive: true }));
    expect(buildIdentity(inferred)).not.toEqual(buildIdentity({ ...inferred, platform: 'linux/arm64' }));
  });

  it('takes the stack folder, and an image folder outside it', () => {
    expect(
      imageSourcePaths('ubi/stacks/stack', {
        context: '../stack-nodejs-22',
        dockerfile: '../stack-nodejs-22/run.Dockerfile',
        stackToml: '../stack-nodejs-22/stack.toml',
      }),
    ).toEqual(['ubi/stacks/stack', 'ubi/stacks/stack-nodejs-22', 'ubi/stacks/stack-nodejs-22/run.Dockerfile', 'ubi/stacks/stack-nodejs-22/stack.toml']);
  });

  it('is the same for the same commit, options and environment, and changes with each of them', async () => {
    const paths = ['stacks/acme'];
    const now = await imageSources(root, paths, buildIdentity(inferred), {});
    expect(now).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(await imageSources(root, paths, buildIdentity(inferred), {})).toBe(now);
    expect(await imageSources(root, paths, buildIdentity({ ...inferred, repository: 'r.example/acme' }), {})).not.toBe(now);
    expect(await imageSources(root, paths, buildIdentity(inferred), { SOURCE_DATE_EPOCH: '1' })).not.toBe(now);
    write('stacks/acme/run.Dockerfile', 'FROM y\n');
    commitAll(root, 'y');
    expect(await imageSources(root, paths, buildIdentity(inferred), {})).not.toBe(now);
  });

  it('vouches for nothing with an uncommitted or untracked file, or outside git', async () => {
    write('stacks/acme/notes.txt', 'new\n');
    expect(await imageSources(root, ['stacks/acme'], buildIdentity(inferred), {})).toBeUndefined();
    rmSync(join(root, '.git'), { recursive: true });
    rmSync(join(root, 'stacks/acme/notes.txt'));
    expect(await imageSources(root, ['stacks/acme'], buildIdentity(inferred), {})).toBeUndefined();
  });
});
