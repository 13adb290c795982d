import { type BuilderToml, effectiveBuildImage, effectiveRunImages, parseBuilderToml, readBuilderToml } from './builder-toml';
import { renderBuilderToml } from './render-builder-toml';

const FULL = `
description = "Acme builder"

[lifecycle]
  version = "0.20.5"

[stack]
  id = "io.buildpacks.stacks.bookworm"
  build-image = "debian-bookworm-build"
  run-image = "debian-bookworm-run"
  run-image-mirrors = ["ghcr.io/acme/run"]

[build]
  image = "debian-bookworm-build"

[[build.env]]
  name = "PATH"
  value = "/opt/bin"
  suffix = "prepend"
  delim = ":"
  exec-env = ["production"]

[[build.env]]
  name = "LANG"
  value = "C.UTF-8"

[[run.images]]
  image = "debian-bookworm-run"
  mirrors = ["ghcr.io/acme/run"]

[[run.images]]
  image = "debian-bookworm-run-tiny"

[[targets]]
  os = "linux"
  arch = "arm"
  variant = "v7"
  [[targets.distros]]
    name = "debian"
    version = "12"

[[buildpacks]]
  id = "acme/node"
  version = "1.0.0"
  uri = "../buildpacks/node"

[[buildpacks]]
  uri = "docker://ghcr.io/acme/java:2.0.0"

[[buildpacks]]
  image = "ghcr.io/acme/go:1"

[[extensions]]
  id = "acme/apt"
  uri = "../extensions/apt"

[system]
[system.pre]
  buildpacks = [{ id = "acme/ca-certs", version = "1.0.0", optional = true }]

[[order]]
[[order.group]]
  id = "acme/node"
  version = "1.0.0"
  exec-env = ["production"]
[[order.group]]
  id = "acme/procfile"
  optional = true

[[order-extensions]]
[[order-extensions.group]]
  id = "acme/apt"
`;

/** The smallest builder.toml that passes, to which each test adds a fault. */
const MIN = `
[build]
  image = "b"
[[run.images]]
  image = "r"
[[buildpacks]]
  uri = "bp"
`;

const parse = (text: string) => parseBuilderToml('builder.toml', text);

describe('parseBuilderToml', () => {
  it('reads every table pack 0.40 knows', () => {
    const b = parse(FULL);
    expect(b).toStrictEqual<BuilderToml>({
      file: 'builder.toml',
      description: 'Acme builder',
      lifecycle: { version: '0.20.5' },
      stack: {
        id: 'io.buildpacks.stacks.bookworm',
        buildImage: 'debian-bookworm-build',
        runImage: 'debian-bookworm-run',
        runImageMirrors: ['ghcr.io/acme/run'],
      },
      build: {
        image: 'debian-bookworm-build',
        env: [
          { name: 'PATH', value: '/opt/bin', suffix: 'prepend', delim: ':', execEnv: ['production'] },
          { name: 'LANG', value: 'C.UTF-8' },
        ],
      },
      run: {
        images: [
          { image: 'debian-bookworm-run', mirrors: ['ghcr.io/acme/run'] },
          { image: 'debian-bookworm-run-tiny', mirrors: [] },
        ],
      },
      targets: [{ os: 'linux', arch: 'arm', variant: 'v7', distros: [{ name: 'debian', version: '12' }] }],
      buildpacks: [
        { id: 'acme/node', version: '1.0.0', uri: '../buildpacks/node' },
        { uri: 'docker://ghcr.io/acme/java:2.0.0' },
        { image: 'ghcr.io/acme/go:1' },
      ],
      extensions: [{ id: 'acme/apt', uri: '../extensions/apt' }],
      system: { pre: [{ id: 'acme/ca-certs', version: '1.0.0', optional: true }], post: [] },
      order: [
        {
          group: [
            { id: 'acme/node', version: '1.0.0', execEnv: ['production'] },
            { id: 'acme/procfile', optional: true },
          ],
        },
      ],
      orderExtensions: [{ group: [{ id: 'acme/apt' }] }],
    });
  });

  it('gives the images pack uses, [build]/[run] first and the legacy [stack] otherwise', () => {
    const b = parse(FULL);
    expect(effectiveBuildImage(b)).toEqual({ image: 'debian-bookworm-build', field: 'build.image' });
    expect(effectiveRunImages(b).map((r) => r.field)).toEqual(['run.images[0].image', 'run.images[1].image']);

    const legacy = parse('[stack]\nid = "s"\nbuild-image = "b"\nrun-image = "r"\nrun-image-mirrors = ["m"]\n');
    expect(effectiveBuildImage(legacy)).toEqual({ image: 'b', field: 'stack.build-image' });
    expect(effectiveRunImages(legacy)).toEqual([{ image: 'r', mirrors: ['m'], field: 'stack.run-image' }]);
  });

  it('accepts the ModuleInfo keys pack decodes in [[buildpacks]] and [[order.group]]', () => {
    const b = parse(
      MIN.replace(
        'uri = "bp"',
        'uri = "bp"\n  name = "Node"\n  homepage = "https://x"\n  keywords = ["a"]\n  clear-env = true\n  licenses = [{ type = "MIT" }]',
      ),
    );
    expect(b.buildpacks[0]).toStrictEqual({ uri: 'bp', name: 'Node', homepage: 'https://x', keywords: ['a'], clearEnv: true, licenses: [{ type: 'MIT' }] });
  });

  describe('rejects unknown keys, as pack does, naming the dotted key', () => {
    it.each([
      [
        'top level',
        `colour = "red"\n${MIN}`,
        'builder.toml: colour: expected one of the known keys (description, buildpacks, extensions, order, order-extensions, stack, lifecycle, run, build, targets, system), found an unknown key',
      ],
      ['the obsolete [[groups]]', `${MIN}\n[[groups]]\n[[groups.buildpacks]]\nid = "x"\n`, 'builder.toml: groups: expected one of the known keys'],
      [
        '[[buildpacks]]',
        MIN.replace('uri = "bp"', 'uri = "bp"\n  versoin = "1"'),
        'builder.toml: buildpacks[0].versoin: expected one of the known keys (id, name, version, description, homepage, keywords, exec-env, licenses, clear-env, uri, image), found an unknown key',
      ],
      [
        '[[order.group]]',
        `${MIN}\n[[order]]\n[[order.group]]\nid = "x"\noptinal = true\n`,
        'builder.toml: order[0].group[0].optinal: expected one of the known keys',
      ],
      ['[[order]]', `${MIN}\n[[order]]\ngroups = []\n`, 'builder.toml: order[0].groups: expected one of the known keys (group), found an unknown key'],
      [
        '[build]',
        MIN.replace('image = "b"', 'image = "b"\n  args = "x"'),
        'builder.toml: build.args: expected one of the known keys (image, env), found an unknown key',
      ],
      [
        '[[build.env]]',
        `${MIN}\n[[build.env]]\nname = "A"\nmodifier = "append"\n`,
        'builder.toml: build.env[0].modifier: expected one of the known keys (name, value, suffix, delim, exec-env), found an unknown key',
      ],
      [
        '[[run.images]]',
        MIN.replace('image = "r"', 'image = "r"\n  mirror = "m"'),
        'builder.toml: run.images[0].mirror: expected one of the known keys (image, mirrors), found an unknown key',
      ],
      [
        '[stack]',
        `${MIN}\n[stack]\nrun-images = ["r"]\n`,
        'builder.toml: stack.run-images: expected one of the known keys (id, build-image, run-image, run-image-mirrors), found an unknown key',
      ],
      [
        '[lifecycle]',
        `${MIN}\n[lifecycle]\nimage = "x"\n`,
        'builder.toml: lifecycle.image: expected one of the known keys (uri, version), found an unknown key',
      ],
      [
        '[[targets]]',
        `${MIN}\n[[targets]]\nos = "linux"\nplatform = "x"\n`,
        'builder.toml: targets[0].platform: expected one of the known keys (os, arch, variant, distros), found an unknown key',
      ],
      [
        '[[targets.distros]]',
        `${MIN}\n[[targets]]\nos = "linux"\n[[targets.distros]]\nname = "ubuntu"\ncodename = "noble"\n`,
        'builder.toml: targets[0].distros[0].codename: expected one of the known keys (name, version), found an unknown key',
      ],
      ['[system]', `${MIN}\n[system]\n[system.during]\n`, 'builder.toml: system.during: expected one of the known keys (pre, post), found an unknown key'],
      [
        '[system.pre]',
        `${MIN}\n[system.pre]\nextensions = []\n`,
        'builder.toml: system.pre.extensions: expected one of the known keys (buildpacks), found an unknown key',
      ],
    ])('in %s', (_where, text, message) => {
      expect(() => parse(text)).toThrow(message);
    });
  });

  it('reports wrong types', () => {
    expect(() => parse(MIN.replace('uri = "bp"', 'uri = "bp"\n  version = 1'))).toThrow(
      'builder.toml: buildpacks[0].version: expected a string, found number 1',
    );
    expect(() => parse(`${MIN}\n[[order]]\n[[order.group]]\nid = "x"\noptional = "yes"\n`)).toThrow(
      'builder.toml: order[0].group[0].optional: expected true or false, found "yes"',
    );
  });

  it('reports malformed TOML with its line', () => {
    expect(() => parse('[build\n')).toThrow(/builder\.toml: \(syntax at line 1, column \d+\): expected valid TOML, found/);
  });

  describe('reports what pack finds only later', () => {
    it.each([
      [
        'lifecycle uri and version',
        `${MIN}\n[lifecycle]\nuri = "l.tgz"\nversion = "0.20.5"\n`,
        'builder.toml: lifecycle: expected uri or version, not both (pack refuses both), found uri "l.tgz" and version "0.20.5"',
      ],
      [
        'a lifecycle version that is not semver',
        `${MIN}\n[lifecycle]\nversion = "latest"\n`,
        'builder.toml: lifecycle.version: expected a semantic version such as "0.20.5", found "latest"',
      ],
      [
        'append without delim',
        `${MIN}\n[[build.env]]\nname = "PATH"\nvalue = "/x"\nsuffix = "append"\n`,
        'builder.toml: build.env[0].delim: expected a delim for "PATH" with suffix "append" (pack refuses append and prepend without one), found nothing',
      ],
      [
        'prepend without delim',
        `${MIN}\n[[build.env]]\nname = "P"\nsuffix = "prepend"\n`,
        'builder.toml: build.env[0].delim: expected a delim for "P" with suffix "prepend" (pack refuses append and prepend without one), found nothing',
      ],
      [
        'an unknown suffix',
        `${MIN}\n[[build.env]]\nname = "P"\nsuffix = "apend"\ndelim = ":"\n`,
        'builder.toml: build.env[0].suffix: expected one of default, override, append, prepend, found "apend"',
      ],
      ['an env without name', `${MIN}\n[[build.env]]\nvalue = "x"\n`, 'builder.toml: build.env[0].name: expected an environment variable name, found nothing'],
      [
        'no build image',
        MIN.replace('image = "b"', ''),
        'builder.toml: build.image: expected a build image (or the legacy [stack] build-image), found nothing',
      ],
      [
        'no [build] at all',
        MIN.replace('[build]\n  image = "b"', ''),
        'builder.toml: build.image: expected a build image (or the legacy [stack] build-image), found nothing',
      ],
      [
        'no run image',
        MIN.replace('[[run.images]]\n  image = "r"', ''),
        'builder.toml: run.images: expected at least one [[run.images]] entry (or the legacy [stack] run-image), found nothing',
      ],
      [
        'a run image entry without image',
        MIN.replace('image = "r"', 'mirrors = ["m"]'),
        'builder.toml: run.images[0].image: expected a run image reference such as "debian-bookworm-run:latest", found nothing',
      ],
      [
        'a buildpack with neither uri nor image',
        MIN.replace('uri = "bp"', 'id = "acme/x"'),
        'builder.toml: buildpacks[0]: expected a uri (or the deprecated image), found neither',
      ],
      [
        'a buildpack with both uri and image',
        MIN.replace('uri = "bp"', 'uri = "bp"\n  image = "img"'),
        'builder.toml: buildpacks[0].image: expected no image alongside uri (pack uses uri and ignores image), found "img"',
      ],
      [
        'an extension with neither',
        `${MIN}\n[[extensions]]\nid = "e"\n`,
        'builder.toml: extensions[0]: expected a uri (or the deprecated image), found neither',
      ],
      [
        'an order group entry without id',
        `${MIN}\n[[order]]\n[[order.group]]\nversion = "1"\n`,
        'builder.toml: order[0].group[0].id: expected the id of a buildpack on the builder, found nothing',
      ],
      [
        'an order-extensions entry without id',
        `${MIN}\n[[order-extensions]]\n[[order-extensions.group]]\nversion = "1"\n`,
        'builder.toml: order-extensions[0].group[0].id: expected the id of an extension on the builder, found nothing',
      ],
      [
        'a system buildpack without id',
        `${MIN}\n[[system.post.buildpacks]]\nversion = "1"\n`,
        'builder.toml: system.post.buildpacks[0].id: expected the id of a buildpack on the builder, found nothing',
      ],
      ['a target without os', `${MIN}\n[[targets]]\narch = "amd64"\n`, 'builder.toml: targets[0].os: expected an os such as "linux", found nothing'],
      [
        'a target os pack cannot build',
        `${MIN}\n[[targets]]\nos = "darwin"\narch = "arm64"\n`,
        'builder.toml: targets[0].os: expected an os of linux, windows, found "darwin"',
      ],
      [
        'a target arch',
        `${MIN}\n[[targets]]\nos = "linux"\narch = "x86_64"\n`,
        'builder.toml: targets[0].arch: expected an architecture of amd64, arm64, arm, 386, ppc64le, s390x, riscv64, mips64le, loong64, found "x86_64"',
      ],
      [
        'a target variant',
        `${MIN}\n[[targets]]\nos = "linux"\narch = "arm"\nvariant = "armv7"\n`,
        'builder.toml: targets[0].variant: expected a variant such as v7 or v8, found "armv7"',
      ],
      [
        'a variant without arch',
        `${MIN}\n[[targets]]\nos = "linux"\nvariant = "v7"\n`,
        'builder.toml: targets[0].arch: expected an architecture alongside variant "v7", found nothing',
      ],
      [
        'a distro without name',
        `${MIN}\n[[targets]]\nos = "linux"\n[[targets.distros]]\nversion = "12"\n`,
        'builder.toml: targets[0].distros[0].name: expected a distribution name such as "ubuntu" (the ID of /etc/os-release), found nothing',
      ],
      [
        '[stack] build-image differing from [build] image',
        `${MIN}\n[stack]\nid = "s"\nbuild-image = "other"\n`,
        'builder.toml: stack.build-image: expected the same image as build.image ("b"), found "other"',
      ],
      [
        '[stack] run-image differing from run.images[0]',
        `${MIN}\n[stack]\nid = "s"\nrun-image = "other"\n`,
        'builder.toml: stack.run-image: expected the same image as run.images[0].image ("r"), found "other"',
      ],
      [
        '[stack] mirrors differing from run.images[0]',
        `${MIN}\n[stack]\nrun-image = "r"\nrun-image-mirrors = ["m"]\n`,
        'builder.toml: stack.run-image-mirrors: expected the same mirrors as run.images[0].mirrors ([]), found an array (["m"])',
      ],
    ])('%s', (_what, text, message) => {
      expect(() => parse(text)).toThrow(message);
    });

    it('accepts a delim given by another entry of the same name, as pack does', () => {
      const text = `${MIN}\n[[build.env]]\nname = "P"\nsuffix = "append"\n[[build.env]]\nname = "P"\ndelim = ":"\n`;
      expect(parse(text).build?.env).toHaveLength(2);
    });

    it('accepts a legacy [stack] alone, and one that agrees with [build]/[run]', () => {
      expect(() => parse('[stack]\nid = "s"\nbuild-image = "b"\nrun-image = "r"\n')).not.toThrow();
      expect(() => parse(`${MIN}\n[stack]\nid = "s"\nbuild-image = "b"\nrun-image = "r"\n`)).not.toThrow();
    });

    it('reports every problem at once', () => {
      expect(() => parse('[lifecycle]\nuri = "u"\nversion = "1"\n')).toThrow(
        [
          'builder.toml: lifecycle: expected uri or version, not both (pack refuses both), found uri "u" and version "1"',
          'builder.toml: build.image: expected a build image (or the legacy [stack] build-image), found nothing',
          'builder.toml: run.images: expected at least one [[run.images]] entry (or the legacy [stack] run-image), found nothing',
        ].join('\n'),
      );
    });

    it('leaves the cross-field checks out of readBuilderToml', () => {
      expect(readBuilderToml('builder.toml', '').buildpacks).toEqual([]);
    });
  });
});

describe('renderBuilderToml', () => {
  it('round-trips the full example', () => {
    const b = parse(FULL);
    expect(parse(renderBuilderToml(b))).toStrictEqual(b);
  });

  it('round-trips edge cases: empty tables, legacy [stack] only, quoting', () => {
    const cases: BuilderToml[] = [
      {
        file: 'builder.toml',
        buildpacks: [{ uri: 'a "quoted"\\path\u007f\n', licenses: [{ type: 'MIT', uri: 'https://x' }, {}] }],
        extensions: [],
        order: [{ group: [] }, { group: [{ id: 'a', optional: false, clearEnv: false, keywords: [] }] }],
        orderExtensions: [],
        system: { pre: [], post: [{ id: 'p', version: '1' }] },
        build: { env: [{ name: 'A', value: '' }] },
        run: { images: [] },
        targets: [{ os: 'windows', distros: [] }],
        stack: { id: 's', buildImage: 'b', runImage: 'r' },
      },
      {
        file: 'builder.toml',
        description: '',
        buildpacks: [],
        extensions: [{ image: 'e' }],
        order: [],
        orderExtensions: [{ group: [{ id: 'e' }] }],
        build: { image: 'b', env: [] },
        run: { images: [{ image: 'r', mirrors: ['m1', 'm2'] }] },
        targets: [{ os: 'linux', arch: 'arm64', distros: [{ name: 'ubuntu' }, { name: 'ubuntu', version: '24.04' }] }],
        lifecycle: { uri: 'docker://buildpacksio/lifecycle:0.20.5' },
        system: { pre: [], post: [] },
      },
    ];
    for (const b of cases) expect(parse(renderBuilderToml(b))).toStrictEqual(b);
  });

  it('writes arrays of tables in the layout of pack examples', () => {
    const text = renderBuilderToml(parse(FULL));
    expect(text).toContain(
      '[[order]]\n[[order.group]]\n  id = "acme/node"\n  version = "1.0.0"\n  exec-env = ["production"]\n\n[[order.group]]\n  id = "acme/procfile"\n  optional = true\n',
    );
    expect(text).toContain('[[run.images]]\n  image = "debian-bookworm-run"\n  mirrors = ["ghcr.io/acme/run"]\n');
    expect(text).toContain('[[targets]]\n  os = "linux"\n  arch = "arm"\n  variant = "v7"\n\n  [[targets.distros]]\n    name = "debian"\n    version = "12"\n');
    expect(text.startsWith('description = "Acme builder"\n')).toBe(true);
  });
});
