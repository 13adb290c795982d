import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readTextFile } from '../workspace/workspace-files';
import { cachedInference, keyOf } from './inference-cache';

describe('cachedInference', () => {
  let root: string;
  let cacheFile: string;
  let runs: number;
  /** An inference that reads a.toml and b.toml and warns when b.toml is missing. */
  const infer = (read: (path: string) => string | undefined, warn: (message: string) => void) => {
    runs++;
    const b = read(join(root, 'b.toml'));
    if (b === undefined) warn('b.toml: (file): expected a file, found none');
    return { a: read(join(root, 'a.toml')), b };
  };
  const run = (key = 'k1') => cachedInference(cacheFile, key, readTextFile, infer);

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'nx-cnb-inference-'));
    cacheFile = join(root, '.nx/workspace-data/nx-cnb-x.json');
    writeFileSync(join(root, 'a.toml'), 'a = 1\n');
    writeFileSync(join(root, 'b.toml'), 'b = 1\n');
    runs = 0;
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('infers once, then gives what it stored while every file it read reads the same', () => {
    const first = run();
    const again = run();
    expect(runs).toBe(1);
    expect(first.fromCache).toBe(false);
    expect(again).toEqual({ result: { a: 'a = 1\n', b: 'b = 1\n' }, warnings: [], fromCache: true });
  });

  it.each<[string, () => void]>([
    ['a file it read changes', () => writeFileSync(join(root, 'a.toml'), 'a = 2\n')],
    ['a file it read goes', () => rmSync(join(root, 'b.toml'))],
  ])('infers again when %s', (_, change) => {
    run();
    change();
    const again = run();
    expect(runs).toBe(2);
    expect(again.fromCache).toBe(false);
    expect(run().fromCache).toBe(true);
  });

  it('infers again under another key (other options, other matched files, other plugin code)', () => {
    run('k1');
    expect(run('k2').fromCache).toBe(false);
    expect(runs).toBe(2);
  });

  it('gives the warnings again with what it stored', () => {
    rmSync(join(root, 'b.toml'));
    run();
    expect(run()).toMatchObject({ fromCache: true, warnings: ['b.toml: (file): expected a file, found none'] });
  });

  it('infers again over a cache file cut short, and mends it', () => {
    run();
    writeFileSync(cacheFile, readFileSync(cacheFile, 'utf8').slice(0, 20));
    expect(run().fromCache).toBe(false);
    expect(run().fromCache).toBe(true);
  });

  it('still infers where the cache cannot be written', () => {
    writeFileSync(join(root, 'not-a-folder'), '');
    const inferred = cachedInference(join(root, 'not-a-folder/nx-cnb.json'), 'k1', readTextFile, infer);
    expect(inferred.result.a).toBe('a = 1\n');
  });
});

describe('keyOf', () => {
  it('is one digest of all its parts, in order', () => {
    expect(keyOf({ a: 1 }, ['x'])).toMatch(/^[0-9a-f]{40}$/);
    expect(keyOf({ a: 1 }, ['x'])).toBe(keyOf({ a: 1 }, ['x']));
    expect(keyOf({ a: 1 }, ['x'])).not.toBe(keyOf({ a: 2 }, ['x']));
  });
});
