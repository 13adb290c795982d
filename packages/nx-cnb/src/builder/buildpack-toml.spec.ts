import { type BuildpackDescriptor, parseBuildpackToml } from './buildpack-toml';

const PLAIN = `
api = "0.10"

[buildpack]
  id = "acme/node-engine"
  version = "1.2.3"
  name = "Node Engine"
  homepage = "https://acme.dev/node"
  description = "Installs Node.js"
  keywords = ["node", "javascript"]
  clear-env = true
  sbom-formats = ["application/vnd.cyclonedx+json"]
  exec-env = ["production"]

  [[buildpack.licenses]]
    type = "Apache-2.0"

[[stacks]]
  id = "io.buildpacks.stacks.bookworm"
  mixins = ["build:git", "run:tzdata", "wget"]

[[stacks]]
  id = "*"

[[targets]]
  os = "linux"
  arch = "amd64"
  [[targets.distros]]
    name = "debian"
    version = "12"

[[targets]]
  os = "linux"
  arch = "arm64"

[metadata]
  default-version = "20"
  [[metadata.dependencies]]
    id = "node"
    version = 20
`;

const COMPOSITE = `
api = "0.10"
[buildpack]
  id = "acme/node"
  version = "2.0.0"

[[order]]
  [[order.group]]
    id = "acme/node-engine"
    version = "1.2.3"
  [[order.group]]
    id = "acme/npm-install"
    version = "0.5.0"
    optional = true
`;

const parse = (text: string) => parseBuildpackToml('buildpacks/node/buildpack.toml', text);

describe('parseBuildpackToml', () => {
  it('reads a buildpack with stacks, targets and free-form metadata', () => {
    expect(parse(PLAIN)).toStrictEqual<BuildpackDescriptor>({
      file: 'buildpacks/node/buildpack.toml',
      api: '0.10',
      buildpack: {
        id: 'acme/node-engine',
        version: '1.2.3',
        name: 'Node Engine',
        homepage: 'https://acme.dev/node',
        description: 'Installs Node.js',
        keywords: ['node', 'javascript'],
        clearEnv: true,
        sbomFormats: ['application/vnd.cyclonedx+json'],
        licenses: [{ type: 'Apache-2.0' }],
        execEnv: ['production'],
      },
      order: [],
      stacks: [
        { id: 'io.buildpacks.stacks.bookworm', mixins: ['build:git', 'run:tzdata', 'wget'] },
        { id: '*', mixins: [] },
      ],
      targets: [
        { os: 'linux', arch: 'amd64', distros: [{ name: 'debian', version: '12' }] },
        { os: 'linux', arch: 'arm64', distros: [] },
      ],
      metadata: { 'default-version': '20', dependencies: [{ id: 'node', version: 20 }] },
      warnings: [],
    });
  });

  it('reads a composite buildpack', () => {
    const bp = parse(COMPOSITE);
    expect(bp.order).toStrictEqual([
      {
        group: [
          { id: 'acme/node-engine', version: '1.2.3' },
          { id: 'acme/npm-install', version: '0.5.0', optional: true },
        ],
      },
    ]);
    expect(bp.stacks).toEqual([]);
    expect(bp.targets).toEqual([]);
    expect(bp.metadata).toBeUndefined();
  });

  it('leaves target fields out when absent, as the spec reads them as "any"', () => {
    expect(parse(`${COMPOSITE.split('[[order]]')[0]}\n[[targets]]\nos = "linux"\n`).targets).toStrictEqual([{ os: 'linux', distros: [] }]);
  });

  // pack reads buildpack.toml without checking for unknown keys; nx-cnb warns about each instead of refusing the file.
  it.each([
    [
      'an unknown top-level key',
      `stack = "x"\n${PLAIN}`,
      'buildpacks/node/buildpack.toml: stack: expected one of the known keys (api, buildpack, order, stacks, targets, metadata), found an unknown key, which pack ignores',
    ],
    [
      'an unknown key in [buildpack]',
      PLAIN.replace('name = "Node Engine"', 'nme = "Node Engine"'),
      'buildpacks/node/buildpack.toml: buildpack.nme: expected one of the known keys (id, name, version, homepage, clear-env, description, keywords, sbom-formats, licenses, exec-env), found an unknown key, which pack ignores',
    ],
    [
      'an unknown key in [[stacks]]',
      PLAIN.replace('id = "*"', 'id = "*"\n  mixin = []'),
      'buildpacks/node/buildpack.toml: stacks[1].mixin: expected one of the known keys (id, mixins), found an unknown key, which pack ignores',
    ],
    [
      'an unknown key in [[order.group]]',
      COMPOSITE.replace('optional = true', 'optionl = true'),
      'buildpacks/node/buildpack.toml: order[0].group[1].optionl: expected one of the known keys (id, name, version, description, homepage, keywords, exec-env, licenses, clear-env, optional), found an unknown key, which pack ignores',
    ],
  ])('warns about %s and reads the rest', (_what, text, warning) => {
    expect(parse(text).warnings).toEqual([warning]);
  });

  it.each([
    [
      'a missing api',
      PLAIN.replace('api = "0.10"', ''),
      'buildpacks/node/buildpack.toml: api: expected the Buildpack API version as a string such as "0.10", found nothing',
    ],
    ['an api written as a number', PLAIN.replace('api = "0.10"', 'api = 0.10'), 'buildpacks/node/buildpack.toml: api: expected a string, found number 0.1'],
    [
      'a malformed api',
      PLAIN.replace('api = "0.10"', 'api = "v0.10"'),
      'buildpacks/node/buildpack.toml: api: expected a Buildpack API version of the form <major>.<minor>, such as "0.10", found "v0.10"',
    ],
    ['a missing [buildpack]', 'api = "0.10"\n', 'buildpacks/node/buildpack.toml: buildpack: expected a [buildpack] table with id and version, found nothing'],
    [
      'a missing id',
      PLAIN.replace('id = "acme/node-engine"', ''),
      'buildpacks/node/buildpack.toml: buildpack.id: expected a buildpack id such as "acme/node-engine", found nothing',
    ],
    [
      'an id with spaces',
      PLAIN.replace('id = "acme/node-engine"', 'id = "acme node"'),
      'buildpacks/node/buildpack.toml: buildpack.id: expected a buildpack id of letters, digits, ".", "/" and "-", found "acme node"',
    ],
    [
      'a reserved id',
      PLAIN.replace('id = "acme/node-engine"', 'id = "app"'),
      'buildpacks/node/buildpack.toml: buildpack.id: expected an id other than app, config, generated, sbom (reserved by the spec), found "app"',
    ],
    [
      'a missing version',
      PLAIN.replace('version = "1.2.3"', ''),
      'buildpacks/node/buildpack.toml: buildpack.version: expected a buildpack version such as "1.2.3", found nothing',
    ],
    [
      '[[buildpack.exec-env]] tables',
      PLAIN.replace('exec-env = ["production"]', '[[buildpack.exec-env]]\n  name = "production"'),
      'buildpacks/node/buildpack.toml: buildpack.exec-env: expected an array of strings (pack 0.40 cannot read [[buildpack.exec-env]] tables), found an array',
    ],
    [
      'a stack without id',
      PLAIN.replace('id = "*"', 'mixins = []'),
      'buildpacks/node/buildpack.toml: stacks[1].id: expected a stack id, or "*" for any stack, found nothing',
    ],
    [
      'mixins on stack "*"',
      PLAIN.replace('id = "*"', 'id = "*"\n  mixins = ["git"]'),
      'buildpacks/node/buildpack.toml: stacks[1].mixins: expected no mixins with stack id "*" (the spec forbids them), found an array (["git"])',
    ],
    [
      'an invalid target os',
      PLAIN.replace('os = "linux"', 'os = "macos"'),
      'buildpacks/node/buildpack.toml: targets[0].os: expected an os of linux, windows, found "macos"',
    ],
    [
      'an invalid target arch',
      PLAIN.replace('arch = "arm64"', 'arch = "aarch64"'),
      'buildpacks/node/buildpack.toml: targets[1].arch: expected an architecture of',
    ],
    [
      'an order group entry without version',
      COMPOSITE.replace('version = "0.5.0"', ''),
      'buildpacks/node/buildpack.toml: order[0].group[1].version: expected the version of buildpack "acme/npm-install", found nothing',
    ],
    [
      'an order group entry without id',
      COMPOSITE.replace('id = "acme/npm-install"', ''),
      'buildpacks/node/buildpack.toml: order[0].group[1].id: expected the id of a buildpack in this composite, found nothing',
    ],
    [
      'a composite with targets',
      `${COMPOSITE}\n[[targets]]\nos = "linux"\n`,
      'buildpacks/node/buildpack.toml: order: expected no [[order]] alongside [[stacks]] or [[targets]] (a composite buildpack has neither), found 1 order entry',
    ],
  ])('reports %s', (_what, text, message) => {
    expect(() => parse(text)).toThrow(message);
  });

  it('keeps [metadata] free-form', () => {
    expect(parse(`${COMPOSITE}\n[metadata]\nanything = { goes = ["one", "two"], n = 1 }\n`).metadata).toStrictEqual({
      anything: { goes: ['one', 'two'], n: 1 },
    });
  });
});
