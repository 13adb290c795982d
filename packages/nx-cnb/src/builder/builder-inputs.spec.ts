import { parseBuilderToml } from './builder-toml';
import { type BuilderInputs, builderInputsDigest, builderSources } from './builder-inputs';

const DIGEST = `sha256:${'a'.repeat(64)}`;
const IMAGES = '[build]\n  image = "acme-build"\n[[run.images]]\n  image = "acme-run"\n';

describe('builderSources', () => {
  it('names local folders, archives and the lifecycle tarball, and what pack fetches without a digest', () => {
    const builder = parseBuilderToml(
      'builders/acme/builder.toml',
      `${IMAGES}
[lifecycle]
  uri = "../../tools/lifecycle.tgz"
[[buildpacks]]
  uri = "./buildpacks/app"
[[buildpacks]]
  uri = "bp/node.tgz"
[[buildpacks]]
  uri = "file:///opt/bp/java"
[[buildpacks]]
  uri = "docker://registry.example.com/bp/go@${DIGEST}"
[[buildpacks]]
  uri = "docker://registry.example.com/bp/python:1"
[[buildpacks]]
  image = "registry.example.com/bp/ruby:2"
[[buildpacks]]
  uri = "https://example.com/bp.tgz"
[[extensions]]
  uri = "./extensions/apt"
`,
    );
    expect(builderSources('builders/acme', builder)).toEqual({
      local: ['builders/acme/buildpacks/app', 'builders/acme/bp/node.tgz', '/opt/bp/java', 'builders/acme/extensions/apt', 'tools/lifecycle.tgz'],
      unpinned: [
        'buildpacks[4].uri "docker://registry.example.com/bp/python:1"',
        'buildpacks[5].uri "docker://registry.example.com/bp/ruby:2"',
        'buildpacks[6].uri "https://example.com/bp.tgz"',
      ],
    });
  });

  it('takes a lifecycle version as fixed content', () => {
    const builder = parseBuilderToml('b/builder.toml', `${IMAGES}[lifecycle]\n  version = "0.21.14"\n`);
    expect(builderSources('b', builder)).toEqual({ local: [], unpinned: [] });
  });
});

describe('builderInputsDigest', () => {
  const inputs: BuilderInputs = {
    packVersion: '0.40.6',
    reference: 'acme-builder:latest',
    publish: false,
    platforms: ['linux/amd64', 'linux/arm64'],
    flatten: ['a@1,b@1'],
    configs: ['[build]\n'],
    files: { 'b/bp/a': DIGEST, 'b/bp/b': DIGEST },
    images: { 'docker.io/library/acme-build:latest': 'sha256:1', 'docker.io/library/acme-run:latest': 'sha256:2' },
  };

  it('is the same for the same inputs in any order', () => {
    const reordered = { ...inputs, platforms: ['linux/arm64', 'linux/amd64'], files: { 'b/bp/b': DIGEST, 'b/bp/a': DIGEST } };
    expect(builderInputsDigest(reordered)).toBe(builderInputsDigest(inputs));
    expect(builderInputsDigest(inputs)).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it.each<[string, Partial<BuilderInputs>]>([
    ['pack', { packVersion: '0.41.0' }],
    ['the reference', { reference: 'acme-builder:2' }],
    ['publishing', { publish: true }],
    ['the flattened groups', { flatten: [] }],
    ['a builder.toml', { configs: ['[build]\n  image = "x"\n'] }],
    ['a file', { files: { 'b/bp/a': `sha256:${'b'.repeat(64)}`, 'b/bp/b': DIGEST } }],
    ['an image', { images: { 'docker.io/library/acme-build:latest': 'sha256:3', 'docker.io/library/acme-run:latest': 'sha256:2' } }],
  ])('changes with %s', (_, change) => {
    expect(builderInputsDigest({ ...inputs, ...change })).not.toBe(builderInputsDigest(inputs));
  });
});
