import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeEngine } from '../../testing/fake-engine';
import { fakeIo } from '../../testing/fake-io';
import { builtStackImage } from '../../testing/receipts';
import { ensureImages } from './ensure-images';

describe('ensureImages', () => {
  let root: string;
  let engine: FakeEngine;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'nx-cnb-ensure-'));
    engine = new FakeEngine();
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('finds present images, restores lost tags and loads lost images from their saved copy', async () => {
    await builtStackImage(engine, root, 'dist/a', ['acme-a:latest'], { labels: {} });
    const b = await builtStackImage(engine, root, 'dist/b', ['acme-b:latest', 'acme-b:1.0'], { labels: {} });
    const c = await builtStackImage(engine, root, 'dist/c', ['acme-c:latest'], { labels: {} });
    await engine.untag('acme-b:1.0');
    engine.remove(c.platforms[0].imageId);

    const io = fakeIo(root, engine);
    await ensureImages({ outputPaths: ['dist/a', 'dist/b', 'dist/c'] }, io);
    expect(io.lines).toEqual(['acme-a:latest: in the engine', 'acme-b:latest: tag restored', 'acme-c:latest: loaded from the saved image']);
    expect(engine.resolve('acme-b:1.0')).toBe(b.platforms[0].imageId);
    expect(engine.resolve('acme-c:latest')).toBe(c.platforms[0].imageId);
  });

  it('says to rebuild when the engine lacks an image its receipt carries no copy of', async () => {
    const a = await builtStackImage(engine, root, 'dist/a', ['acme-a:latest'], { labels: {} });
    rmSync(join(root, 'dist/a/image.tar'));
    const receipt = join(root, 'dist/a/receipt.json');
    writeFileSync(receipt, JSON.stringify({ ...a, archive: null }));
    engine.remove(a.platforms[0].imageId);
    await expect(ensureImages({ outputPaths: ['dist/a'] }, fakeIo(root, engine))).rejects.toThrow(
      `acme-a:latest (linux/amd64 ${a.platforms[0].imageId}) is not in the engine and its receipt in ${join(root, 'dist/a')} carries no saved image; rebuild it with --skip-nx-cache`,
    );
  });

  it('names a receipt that is missing', async () => {
    await expect(ensureImages({ outputPaths: ['dist/none'] }, fakeIo(root, engine))).rejects.toThrow(
      'dist/none: no receipt.json; its build-image task has not run',
    );
  });
});
