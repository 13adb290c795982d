import { parseBuilderToml } from './builder-toml';
import { type BuildpackDescriptor, type BuildpackStack, type BuildpackTarget } from './buildpack-toml';
import { checkBuildpacks, checkImages, estimateLayers, flattenGroups, type KnownImage, MAX_LAYERS } from './checks';

const BUILDER = `
[build]
  image = "debian-bookworm-build"
[[run.images]]
  image = "debian-bookworm-run"
  mirrors = ["ghcr.io/acme/run"]
[[run.images]]
  image = "debian-bookworm-run-tiny:1.0"
[[buildpacks]]
  id = "acme/node"
  uri = "../buildpacks/node"
`;

const builder = (text = BUILDER) => parseBuilderToml('stacks/builder.toml', text);

const BUILD: KnownImage = {
  stackId: 'io.buildpacks.stacks.bookworm',
  mixins: ['build:git', 'wget'],
  os: 'linux',
  arch: 'amd64',
  distro: { name: 'debian', version: '12' },
};
const RUN: KnownImage = {
  stackId: 'io.buildpacks.stacks.bookworm',
  mixins: ['run:tzdata', 'wget'],
  os: 'linux',
  arch: 'amd64',
  distro: { name: 'debian', version: '12' },
};
const TINY: KnownImage = { stackId: 'io.buildpacks.stacks.bookworm', mixins: [], os: 'linux', arch: 'amd64' };

const KNOWN: Record<string, KnownImage> = {
  'debian-bookworm-build:latest': BUILD,
  'debian-bookworm-run:latest': RUN,
  'debian-bookworm-run-tiny:1.0': TINY,
};

function bp(id: string, version: string, extra: { stacks?: BuildpackStack[]; targets?: BuildpackTarget[]; order?: string[][] } = {}): BuildpackDescriptor {
  return {
    file: `buildpacks/${id}/buildpack.toml`,
    api: '0.10',
    buildpack: { id, version },
    order: (extra.order ?? []).map((group) => ({ group: group.map((ref) => ({ id: ref.split('@')[0], version: ref.split('@')[1] })) })),
    stacks: extra.stacks ?? [],
    targets: extra.targets ?? [],
    warnings: [],
  };
}

describe('checkImages', () => {
  it('accepts images that stacks make or the engine has, by normalized name, from a record or a map', () => {
    expect(checkImages(builder(), KNOWN)).toEqual([]);
    expect(checkImages(builder(), new Map(Object.entries(KNOWN)))).toEqual([]);
  });

  it('reports a build image that no stack makes and the engine lacks', () => {
    const { ['debian-bookworm-build:latest']: _, ...rest } = KNOWN;
    expect(checkImages(builder(), rest).map((e) => e.message)).toEqual([
      'stacks/builder.toml: build.image: expected a build image that a stack in the workspace makes or that the engine has, found "debian-bookworm-build:latest", which no stack in the workspace makes and the engine lacks',
    ]);
  });

  it('reports a run image that no stack makes and the engine lacks, but not an absent mirror', () => {
    const { ['debian-bookworm-run-tiny:1.0']: _, ...rest } = KNOWN;
    expect(checkImages(builder(), rest).map((e) => e.message)).toEqual([
      'stacks/builder.toml: run.images[1].image: expected a run image that a stack in the workspace makes or that the engine has, found "debian-bookworm-run-tiny:1.0", which no stack in the workspace makes and the engine lacks',
    ]);
  });

  it('names the legacy [stack] fields when the images come from there', () => {
    const legacy = builder('[stack]\nid = "io.buildpacks.stacks.bookworm"\nbuild-image = "old-build"\nrun-image = "old-run"\n');
    expect(checkImages(legacy, KNOWN).map((e) => e.field)).toEqual(['stack.build-image', 'stack.run-image']);
  });

  it('reports a [stack] id that contradicts the io.buildpacks.stack.id of the images', () => {
    const b = builder(`${BUILDER}\n[stack]\nid = "io.buildpacks.stacks.jammy"\n`);
    expect(checkImages(b, KNOWN).map((e) => e.message)).toEqual([
      'stacks/builder.toml: stack.id: expected the io.buildpacks.stack.id of build image "debian-bookworm-build:latest" ("io.buildpacks.stacks.bookworm"), found "io.buildpacks.stacks.jammy"',
      'stacks/builder.toml: stack.id: expected the io.buildpacks.stack.id of run image "debian-bookworm-run:latest" ("io.buildpacks.stacks.bookworm"), found "io.buildpacks.stacks.jammy"',
      'stacks/builder.toml: stack.id: expected the io.buildpacks.stack.id of run image "debian-bookworm-run-tiny:1.0" ("io.buildpacks.stacks.bookworm"), found "io.buildpacks.stacks.jammy"',
    ]);
  });

  it('reports a [stack] id when a known image, mirrors included, has no stack id, and accepts a matching one', () => {
    const b = builder(`${BUILDER}\n[stack]\nid = "io.buildpacks.stacks.bookworm"\n`);
    expect(checkImages(b, KNOWN)).toEqual([]);
    const mirror = { ...KNOWN, 'ghcr.io/acme/run': {} as KnownImage };
    expect(checkImages(b, mirror).map((e) => e.message)).toEqual([
      'stacks/builder.toml: stack.id: expected no [stack] id, or an io.buildpacks.stack.id on run image "ghcr.io/acme/run:latest" (it has none), found "io.buildpacks.stacks.bookworm"',
    ]);
  });
});

describe('checkBuildpacks', () => {
  const check = (bps: BuildpackDescriptor[], text = BUILDER, build = BUILD, runs = [RUN, TINY]) =>
    checkBuildpacks(builder(text), bps, build, runs).map((e) => e.message);

  it('accepts a buildpack with neither stacks nor targets, a composite, and stack "*"', () => {
    expect(
      check([
        bp('acme/plain', '1.0.0'),
        bp('acme/all', '1.0.0', { order: [['acme/plain@1.0.0']] }),
        bp('acme/any', '1.0.0', { stacks: [{ id: '*', mixins: [] }] }),
      ]),
    ).toEqual([]);
  });

  it('reports a buildpack whose stacks do not include the build image stack', () => {
    const node = bp('acme/node', '1.0.0', {
      stacks: [
        { id: 'io.buildpacks.stacks.jammy', mixins: [] },
        { id: 'io.buildpacks.stacks.bionic', mixins: [] },
      ],
    });
    expect(check([node])).toEqual([
      'stacks/builder.toml: buildpacks[0]: expected a buildpack that supports the stack "io.buildpacks.stacks.bookworm" of build image "debian-bookworm-build:latest", found "acme/node@1.0.0" with [[stacks]] "io.buildpacks.stacks.jammy", "io.buildpacks.stacks.bionic"',
    ]);
  });

  it('reports a stack buildpack on a build image without stack id; names "buildpacks" for one not listed by id', () => {
    const go = bp('acme/go', '1.0.0', { stacks: [{ id: 'io.buildpacks.stacks.bookworm', mixins: [] }] });
    expect(check([go], BUILDER, { ...BUILD, stackId: undefined })).toEqual([
      'stacks/builder.toml: buildpacks: expected a buildpack with [[stacks]] id "*", as build image "debian-bookworm-build:latest" has no io.buildpacks.stack.id, found "acme/go@1.0.0" with [[stacks]] "io.buildpacks.stacks.bookworm"',
    ]);
  });

  it('reports required mixins missing from the build image or a run image', () => {
    const node = bp('acme/node', '1.0.0', { stacks: [{ id: 'io.buildpacks.stacks.bookworm', mixins: ['build:make', 'run:tzdata', 'wget', 'curl'] }] });
    expect(check([node])).toEqual([
      'stacks/builder.toml: buildpacks[0]: expected build image "debian-bookworm-build:latest" to provide mixin "build:make", which buildpack "acme/node@1.0.0" requires, found its mixins "build:git", "wget"',
      'stacks/builder.toml: buildpacks[0]: expected run image "debian-bookworm-run-tiny:1.0" to provide mixin "run:tzdata", which buildpack "acme/node@1.0.0" requires, found no mixins',
      'stacks/builder.toml: buildpacks[0]: expected run image "debian-bookworm-run-tiny:1.0" to provide mixin "wget", which buildpack "acme/node@1.0.0" requires, found no mixins',
      'stacks/builder.toml: buildpacks[0]: expected build image "debian-bookworm-build:latest" to provide mixin "curl", which buildpack "acme/node@1.0.0" requires, found its mixins "build:git", "wget"',
      'stacks/builder.toml: buildpacks[0]: expected run image "debian-bookworm-run:latest" to provide mixin "curl", which buildpack "acme/node@1.0.0" requires, found its mixins "run:tzdata", "wget"',
      'stacks/builder.toml: buildpacks[0]: expected run image "debian-bookworm-run-tiny:1.0" to provide mixin "curl", which buildpack "acme/node@1.0.0" requires, found no mixins',
    ]);
  });

  it("accepts targets that match the images and the builder targets, with pack's wildcards", () => {
    const node = bp('acme/node', '1.0.0', {
      targets: [
        { os: 'linux', arch: 'amd64', distros: [{ name: 'debian', version: '12' }] },
        { os: 'linux', distros: [] },
      ],
    });
    expect(check([node], `${BUILDER}\n[[targets]]\nos = "linux"\narch = "arm64"\n`)).toEqual([]);
  });

  it('reports targets that miss a builder target', () => {
    const node = bp('acme/node', '1.0.0', { targets: [{ os: 'linux', arch: 'amd64', distros: [] }] });
    expect(check([node], `${BUILDER}\n[[targets]]\nos = "linux"\narch = "amd64"\n[[targets]]\nos = "linux"\narch = "arm64"\n`)).toEqual([
      'stacks/builder.toml: buildpacks[0]: expected a buildpack whose [[targets]] include linux/arm64 (targets[1]), found "acme/node@1.0.0" with targets linux/amd64',
    ]);
  });

  it('reports targets that miss the os/arch or distro of the images', () => {
    const node = bp('acme/node', '1.0.0', {
      targets: [
        { os: 'linux', arch: 'arm64', distros: [] },
        { os: 'linux', arch: 'amd64', distros: [{ name: 'ubuntu', version: '24.04' }] },
      ],
    });
    expect(check([node])).toEqual([
      'stacks/builder.toml: buildpacks[0]: expected a buildpack whose [[targets]] include linux/amd64 (debian@12) (build image "debian-bookworm-build:latest"), found "acme/node@1.0.0" with targets linux/arm64, linux/amd64 (ubuntu@24.04)',
      'stacks/builder.toml: buildpacks[0]: expected a buildpack whose [[targets]] include linux/amd64 (debian@12) (run image "debian-bookworm-run:latest"), found "acme/node@1.0.0" with targets linux/arm64, linux/amd64 (ubuntu@24.04)',
    ]);
  });
});

describe('flattenGroups', () => {
  const java = bp('acme/java', '1.0.0', {
    order: [
      ['acme/jvm@1.0.0', 'acme/maven@2.0.0'],
      ['acme/jvm@1.0.0', 'acme/gradle@3.0.0'],
    ],
  });
  const components = [bp('acme/jvm', '1.0.0'), bp('acme/maven', '2.0.0'), bp('acme/gradle', '3.0.0')];
  const procfile = bp('acme/procfile', '1.0.0');

  it('puts a composite of 3 components in one group and leaves a plain buildpack alone', () => {
    expect(flattenGroups([procfile, ...components, java])).toEqual(['acme/java@1.0.0,acme/jvm@1.0.0,acme/maven@2.0.0,acme/gradle@3.0.0']);
  });

  it('follows nested composites and puts a shared component in the first group only', () => {
    const jvmAll = bp('acme/jvm-all', '1.0.0', { order: [['acme/java@1.0.0', 'acme/procfile@1.0.0']] });
    const other = bp('acme/other', '1.0.0', { order: [['acme/jvm@1.0.0', 'acme/extra@1.0.0']] });
    const extra = bp('acme/extra', '1.0.0');
    expect(flattenGroups([jvmAll, java, ...components, procfile, other, extra])).toEqual([
      'acme/jvm-all@1.0.0,acme/java@1.0.0,acme/jvm@1.0.0,acme/maven@2.0.0,acme/gradle@3.0.0,acme/procfile@1.0.0',
      'acme/other@1.0.0,acme/extra@1.0.0',
    ]);
  });

  it('gives nothing without composites, and survives a cycle', () => {
    expect(flattenGroups([procfile, ...components])).toEqual([]);
    const a = bp('a', '1', { order: [['b@1']] });
    const b = bp('b', '1', { order: [['a@1']] });
    expect(flattenGroups([a, b])).toEqual([]);
  });
});

describe('estimateLayers', () => {
  const plain = builder();

  it('adds dirs, lifecycle, order, stack, run and env layers to the build image and one per buildpack', () => {
    expect(estimateLayers(plain, { buildImageLayers: 10, buildpacks: 5, extensions: 1 })).toBe(10 + 6 + 6);
  });

  it('counts a flatten group as one layer', () => {
    const groups = ['acme/java@1.0.0,acme/jvm@1.0.0,acme/maven@2.0.0,acme/gradle@3.0.0'];
    expect(estimateLayers(plain, { buildImageLayers: 10, buildpacks: 5, extensions: 0, flattenGroups: groups })).toBe(10 + 6 + 2);
  });

  it('adds the system and build-config env layers when the builder has them', () => {
    const full = builder(`${BUILDER}\n[[build.env]]\nname = "A"\nvalue = "b"\n[[system.pre.buildpacks]]\nid = "acme/ca"\n`);
    expect(estimateLayers(full, { buildImageLayers: 3, buildpacks: 2, extensions: 0 })).toBe(3 + 6 + 2 + 2);
    expect(estimateLayers(builder(`${BUILDER}\n[system]\n`), { buildImageLayers: 3, buildpacks: 2, extensions: 0 })).toBe(3 + 6 + 2);
  });

  it("exports Docker's layer limit", () => {
    expect(MAX_LAYERS).toBe(127);
  });
});
