import { logger, type Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { parseBuilderToml } from '../../builder/builder-toml';
import { stackGenerator } from '../stack/generator';
import { builderGenerator } from './generator';

describe('builder generator', () => {
  let tree: Tree;
  beforeEach(async () => {
    tree = createTreeWithEmptyWorkspace();
    await stackGenerator(tree, { name: 'acme', platforms: 'linux/amd64', maintainer: 'Acme', homepage: 'https://acme.example' });
    tree.write(
      'bps/composite/buildpack.toml',
      'api = "0.10"\n[buildpack]\n  id = "x/composite"\n  version = "1.0.0"\n[[order]]\n  [[order.group]]\n    id = "x/part"\n    version = "1.0.0"\n',
    );
    tree.write('bps/part/buildpack.toml', 'api = "0.10"\n[buildpack]\n  id = "x/part"\n  version = "1.0.0"\n[[stacks]]\n  id = "*"\n');
    tree.write('bps/plain/buildpack.toml', 'api = "0.10"\n[buildpack]\n  id = "x/plain"\n  version = "2.0.0"\n[[stacks]]\n  id = "*"\n');
  });

  const read = (path: string) => parseBuilderToml(path, tree.read(path, 'utf8')!);

  it('uses the stack build image and its run images, base first, with buildpacks, order, targets and lifecycle', async () => {
    await builderGenerator(tree, { name: 'acme', stack: 'acme', buildpacks: 'bps/composite,bps/part,bps/plain', runImageMirrors: '127.0.0.1:5000/mirror' });
    const builder = read('builders/acme/builder.toml');
    expect(builder.build!.image).toBe('debian-bookworm-build:latest');
    expect(builder.run!.images).toEqual([
      { image: 'debian-bookworm-run:latest', mirrors: ['127.0.0.1:5000/mirror/debian-bookworm-run:latest'] },
      { image: 'debian-bookworm-run-tiny:latest', mirrors: ['127.0.0.1:5000/mirror/debian-bookworm-run-tiny:latest'] },
      { image: 'debian-bookworm-run-static:latest', mirrors: ['127.0.0.1:5000/mirror/debian-bookworm-run-static:latest'] },
    ]);
    expect(builder.buildpacks.map((b) => [b.id, b.version, b.uri])).toEqual([
      ['x/composite', '1.0.0', '../../bps/composite'],
      ['x/part', '1.0.0', '../../bps/part'],
      ['x/plain', '2.0.0', '../../bps/plain'],
    ]);
    expect(builder.order).toEqual([
      {
        group: [
          { id: 'x/composite', version: '1.0.0' },
          { id: 'x/plain', version: '2.0.0', optional: true },
        ],
      },
    ]);
    expect(builder.targets).toEqual([{ os: 'linux', arch: 'amd64', distros: [{ name: 'debian', version: '12' }] }]);
    expect(builder.lifecycle).toEqual({ version: '0.21.14' });
    const buildpackless = read('builders/acme/builder-buildpackless.toml');
    expect(buildpackless.buildpacks).toEqual([]);
    expect(buildpackless.run!.images).toEqual(builder.run!.images);
  });

  it('takes the image names of the plugin options and a lifecycle uri', async () => {
    const nxJson = JSON.parse(tree.read('nx.json', 'utf8')!);
    nxJson.plugins = [{ plugin: 'nx-cnb', options: { repository: 'reg.example.com/acme', tags: ['1.0.0'] } }];
    tree.write('nx.json', JSON.stringify(nxJson));
    await builderGenerator(tree, { name: 'b', stack: 'stacks/acme', lifecycleUri: 'file:///lifecycle.tgz' });
    const builder = read('builders/b/builder.toml');
    expect(builder.build!.image).toBe('reg.example.com/acme/debian-bookworm-build:1.0.0');
    expect(builder.lifecycle).toEqual({ uri: 'file:///lifecycle.tgz' });
  });

  it('prints the nx run command of the project it made', async () => {
    const info = jest.spyOn(logger, 'info').mockImplementation(() => undefined);
    try {
      (await builderGenerator(tree, { name: 'a', stack: 'acme', directory: 'builders/web-builder' }))!();
      (await builderGenerator(tree, { name: 'b', stack: 'acme' }))!();
      expect(info.mock.calls.flat()).toEqual([
        'Builder written to builders/web-builder. Create it with: nx run web-builder:create-builder',
        'Builder written to builders/b. Create it with: nx run b-builder:create-builder',
      ]);
    } finally {
      info.mockRestore();
    }
  });

  it('refuses to overwrite an existing builder.toml', async () => {
    tree.write('builders/acme/builder.toml', 'mine');
    await expect(builderGenerator(tree, { name: 'acme', stack: 'acme' })).rejects.toThrow(
      'builders/acme/builder.toml already exists; nx-cnb will not overwrite it',
    );
    expect(tree.read('builders/acme/builder.toml', 'utf8')).toBe('mine');
  });

  it.each([
    [{ name: 'a', stack: 'nope' }, '--stack: expected a stack project under stacks/ or a folder with images.json or stack.toml, found "nope"'],
    [{ name: 'a', stack: 'acme', buildpacks: 'bps/missing' }, '--buildpacks: expected folders holding a buildpack.toml, found "bps/missing"'],
    [
      { name: 'a', stack: 'acme', lifecycleUri: 'x.tgz', lifecycleVersion: '0.21.0' },
      '--lifecycleVersion: expected no version when --lifecycleUri is given (pack takes one or the other), found "0.21.0"',
    ],
    [{ name: 'A B', stack: 'acme' }, '--name: expected lowercase letters, digits, ".", "_" or "-", found "A B"'],
    [{ name: 'a', stack: 'acme', directory: '/etc' }, '--directory: expected a folder inside the workspace, found "/etc"'],
    [
      { name: 'a', stack: 'acme', lifecycleVersion: 'latest' },
      '--lifecycleVersion: expected a release of the lifecycle such as "0.21.14" (pack takes no "latest"), found "latest"',
    ],
    [
      { name: 'a', stack: 'acme', directory: 'stacks/acme/builder' },
      '--directory: expected a folder outside other projects (stacks/acme/images.json makes stacks/acme a project), found "stacks/acme/builder"',
    ],
  ])('rejects bad options %j', async (schema, message) => {
    await expect(builderGenerator(tree, schema)).rejects.toThrow(`nx g nx-cnb:builder: ${message}`);
    expect(tree.exists('builders')).toBe(false);
  });
});
