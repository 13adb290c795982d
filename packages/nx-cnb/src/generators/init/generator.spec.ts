import { logger, readNxJson, type Tree, updateNxJson } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { initGenerator } from './generator';

describe('init generator (nx add nx-cnb)', () => {
  let tree: Tree;
  let info: jest.SpyInstance;
  beforeEach(() => {
    tree = createTreeWithEmptyWorkspace();
    info = jest.spyOn(logger, 'info').mockImplementation(() => undefined);
  });
  afterEach(() => info.mockRestore());

  it('registers the plugin in nx.json beside the plugins there', async () => {
    updateNxJson(tree, { ...readNxJson(tree), plugins: ['@nx/js/typescript'] });
    (await initGenerator(tree))();
    expect(readNxJson(tree)!.plugins).toEqual(['@nx/js/typescript', { plugin: 'nx-cnb', options: {} }]);
    expect(info).toHaveBeenCalledWith('nx-cnb registered in nx.json.');
  });

  it("leaves a user's entry as it is, options, include and exclude with it", async () => {
    const entry = { plugin: 'nx-cnb', options: { repository: 'ghcr.io/acme' }, exclude: ['legacy/**'] };
    updateNxJson(tree, { ...readNxJson(tree), plugins: [entry] });
    const before = tree.read('nx.json', 'utf8');
    (await initGenerator(tree))();
    expect(tree.read('nx.json', 'utf8')).toBe(before);
    expect(info).toHaveBeenCalledWith('nx.json registers nx-cnb already; left as it is.');
  });

  it('is the init generator nx add looks for', () => {
    const generators = JSON.parse(readFileSync(join(__dirname, '../../../generators.json'), 'utf8')).generators;
    expect(generators.init).toMatchObject({ factory: './src/generators/init/generator', schema: './src/generators/init/schema.json' });
  });
});
