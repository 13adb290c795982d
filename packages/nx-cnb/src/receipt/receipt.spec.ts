import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { prepareOutputs, writeFileAtomic } from './receipt';

describe('writeFileAtomic', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'nx-cnb-receipt-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('leaves no half-written file when the write fails half-way', async () => {
    // The final name is taken by a folder, so the rename at the end fails after the data was written.
    mkdirSync(join(dir, 'receipt.json'));
    await expect(writeFileAtomic(join(dir, 'receipt.json'), '{"imageId": "sha256:abc"}')).rejects.toThrow();
    expect(readdirSync(dir)).toEqual(['receipt.json']);
  });

  it('replaces the file in one step', async () => {
    await writeFileAtomic(join(dir, 'receipt.json'), 'one');
    await writeFileAtomic(join(dir, 'receipt.json'), 'two');
    expect(readdirSync(dir)).toEqual(['receipt.json']);
  });
});

describe('prepareOutputs', () => {
  it('removes the receipt, the saved image and what an interrupted run left', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nx-cnb-outputs-'));
    for (const name of ['receipt.json', 'image.tar', 'image.tar.partial-123', 'notes.txt']) writeFileSync(join(dir, name), 'x');
    await prepareOutputs(dir);
    expect(readdirSync(dir)).toEqual(['notes.txt']);
    rmSync(dir, { recursive: true, force: true });
  });
});
