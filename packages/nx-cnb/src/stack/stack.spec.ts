import { readStack, type StackFiles, buildArgsFor, mixinPair } from './stack';
import { deriveMixins } from './stack-toml';
import { UBI_IMAGES_JSON } from '../testing/files';

const BASE_TOML = `
id = "io.buildpacks.stacks.bookworm"
maintainer = "Acme"
platforms = ["linux/amd64", "linux/arm64"]

[build]
  dockerfile = "./build.Dockerfile"
  uid = 1001
  gid = 1000
  shell = "/bin/bash"
  mixins = ["build:git", "wget"]
  [build.args]
    packages = "git wget"
  [build.platforms."linux/arm64".args]
    packages = "git wget qemu"

[run]
  dockerfile = "./run.Dockerfile"
  uid = 1002
  gid = 1000
  mixins = ["run:tzdata", "wget"]
`;

const TINY_TOML = `
id = "io.buildpacks.stacks.bookworm"
[run]
  dockerfile = "./run.Dockerfile"
  uid = 1002
  gid = 1000
  mixins = ["wget"]
`;

const IMAGES_JSON = JSON.stringify({
  os_name: 'debian',
  os_codename: 'bookworm',
  images: [
    {
      name: 'base',
      config_dir: 'base',
      create_build_image: true,
      stack_type: 'base',
      pattern_image_registry_name: 'os_name-os_codename-build_image_run_image',
    },
    { name: 'tiny', config_dir: 'tiny', stack_type: 'tiny', pattern_image_registry_name: 'os_name-os_codename-build_image_run_image-stack_type' },
  ],
});

function files(map: Record<string, string>): StackFiles {
  return { read: (p) => map[p] };
}

const paketo = (overrides: Record<string, string | undefined> = {}) => {
  const map: Record<string, string | undefined> = {
    'images.json': IMAGES_JSON,
    'base/stack.toml': BASE_TOML,
    'base/build.Dockerfile': 'FROM x',
    'base/run.Dockerfile': 'FROM x',
    'tiny/stack.toml': TINY_TOML,
    'tiny/run.Dockerfile': 'FROM x',
    ...overrides,
  };
  return files(Object.fromEntries(Object.entries(map).filter(([, v]) => v !== undefined)) as Record<string, string>);
};

const lone = (toml: string, extra: Record<string, string> = {}) =>
  files({ 'stack.toml': toml, 'build.Dockerfile': 'FROM x', 'run.Dockerfile': 'FROM x', ...extra });

describe('readStack: Paketo layout', () => {
  it('makes one build image and a run image per variant, named by the patterns', () => {
    const stack = readStack('stacks/acme', paketo());
    expect(stack.layout).toBe('images.json');
    expect(stack.images.map((i) => [i.key, i.kind, i.variant, i.name, i.dockerfile, i.context])).toEqual([
      ['build', 'build', 'base', 'debian-bookworm-build', 'base/build.Dockerfile', 'base'],
      ['run', 'run', 'base', 'debian-bookworm-run', 'base/run.Dockerfile', 'base'],
      ['run-tiny', 'run', 'tiny', 'debian-bookworm-run-tiny', 'tiny/run.Dockerfile', 'tiny'],
    ]);
    expect(stack.warnings).toEqual([]);
  });

  it('overlays per-platform args on the common ones', () => {
    const build = readStack('stacks/acme', paketo()).images[0];
    expect(buildArgsFor(build, 'linux/amd64')).toEqual({ packages: 'git wget' });
    expect(buildArgsFor(build, 'linux/arm64')).toEqual({ packages: 'git wget qemu' });
  });

  it('resolves a Dockerfile in a sibling folder relative to its stack.toml', () => {
    const stack = readStack(
      'stacks/acme',
      paketo({ 'tiny/stack.toml': TINY_TOML.replace('./run.Dockerfile', '../shared/tiny.Dockerfile'), 'shared/tiny.Dockerfile': 'FROM x' }),
    );
    expect(stack.images[2]).toMatchObject({ dockerfile: 'shared/tiny.Dockerfile', context: 'shared' });
  });

  it("finds a config_dir written relative to the repository root, as Paketo's UBI stacks write it", () => {
    const map: Record<string, string> = {
      'images.json': UBI_IMAGES_JSON,
      'stack.toml': BASE_TOML.replace(/\n {2}mixins = .*\n/g, '\n'),
      'build.Dockerfile': 'FROM x',
      'run.Dockerfile': 'FROM x',
      '../stack-nodejs-22/stack.toml': TINY_TOML.replace('  mixins = ["wget"]\n', ''),
      '../stack-nodejs-22/run.Dockerfile': 'FROM x',
    };
    const stack = readStack('ubi/stacks/stack', files(map));
    expect(stack.images.map((i) => [i.key, i.name, i.stackToml, i.dockerfile, i.context])).toEqual([
      ['build', 'build-ubi10', 'stack.toml', 'build.Dockerfile', '.'],
      ['run', 'run-ubi10', 'stack.toml', 'run.Dockerfile', '.'],
      ['run-nodejs-22', 'run-nodejs-22-ubi10', '../stack-nodejs-22/stack.toml', '../stack-nodejs-22/run.Dockerfile', '../stack-nodejs-22'],
    ]);
  });

  it('reports a naming pattern that makes an invalid image name', () => {
    const json = JSON.parse(IMAGES_JSON);
    json.images[1].pattern_image_registry_name = 'ACME-os_codename-stack_type';
    expect(() => readStack('stacks/acme', paketo({ 'images.json': JSON.stringify(json) }))).toThrow(
      'stacks/acme/images.json: images[1].pattern_image_registry_name: expected a pattern that makes a valid image name (lowercase letters, digits, ".", "_" or "-" (it becomes part of an image name)), found "ACME-os_codename-stack_type", which makes "ACME-bookworm-tiny"',
    );
  });

  it('reports a folder name that cannot stand in for a missing os_name', () => {
    const json = JSON.parse(IMAGES_JSON);
    delete json.os_name;
    expect(() => readStack('stacks/Acme', paketo({ 'images.json': JSON.stringify(json) }))).toThrow(
      'stacks/Acme/images.json: os_name: expected an os_name, as the folder name cannot be part of an image name (lowercase letters, digits, ".", "_" or "-" (it becomes part of an image name)), found nothing',
    );
  });

  it('reports a config_dir without a stack.toml', () => {
    expect(() => readStack('stacks/acme', paketo({ 'tiny/stack.toml': undefined }))).toThrow(
      'stacks/acme/images.json: images[1].config_dir: expected a folder holding a stack.toml, relative to images.json or to a folder above it, found "tiny" without one',
    );
  });

  it('reports malformed JSON with its line', () => {
    expect(() => readStack('stacks/acme', paketo({ 'images.json': '{\n  "images": [,]\n}' }))).toThrow(
      /stacks\/acme\/images.json: \(syntax at line 2, column \d+\): expected valid JSON, found/,
    );
  });

  it('reports unknown keys in images.json entries', () => {
    const json = JSON.stringify({ images: [{ name: 'a', config_dir: 'base', colour: 'red' }] });
    expect(() => readStack('s', paketo({ 'images.json': json }))).toThrow('s/images.json: images[0].colour: expected one of the known keys (name, config_dir,');
  });

  it('reports a config_dir that escapes the stack', () => {
    const json = JSON.stringify({ images: [{ name: 'a', config_dir: '../../etc' }] });
    expect(() => readStack('s', paketo({ 'images.json': json }))).toThrow(
      's/images.json: images[0].config_dir: expected a folder inside the stack (no leading "/" and no ".."), found "../../etc"',
    );
  });

  it('reports an empty images list', () => {
    expect(() => readStack('s', paketo({ 'images.json': '{"images": []}' }))).toThrow(
      's/images.json: images: expected a non-empty array of images, found an array ([])',
    );
  });

  it('reports duplicate entry names', () => {
    const json = JSON.stringify({
      images: [
        { name: 'a', config_dir: 'base', create_build_image: true },
        { name: 'a', config_dir: 'tiny' },
      ],
    });
    expect(() => readStack('s', paketo({ 'images.json': json }))).toThrow('s/images.json: images[1].name: expected a name no other entry uses, found "a"');
  });

  it('reports a run variant whose unprefixed mixin the build image lacks', () => {
    const tiny = TINY_TOML.replace('mixins = ["wget"]', 'mixins = ["curl"]');
    expect(() => readStack('stacks/acme', paketo({ 'tiny/stack.toml': tiny }))).toThrow(
      'stacks/acme/tiny/stack.toml: run.mixins[0]: expected the unprefixed mixin "curl" on the build image too (or a "run:" prefix), found it only on the run image',
    );
  });

  it('reports an invalid platform in images.json', () => {
    const json = JSON.stringify({ platforms: ['linux/amd64', 'macos/arm64'], images: [{ name: 'a', config_dir: 'base' }] });
    expect(() => readStack('s', paketo({ 'images.json': json }))).toThrow('s/images.json: platforms[1]: expected an os of linux, windows, found "macos/arm64"');
  });

  it('requires [build] where images.json asks for a build image', () => {
    expect(() => readStack('s', paketo({ 'base/stack.toml': TINY_TOML }))).toThrow(
      's/base/stack.toml: build: expected a [build] table (images.json sets create_build_image), found none',
    );
  });
});

describe('readStack: lone stack.toml', () => {
  it('makes a build and a run image named after the folder', () => {
    const stack = readStack('stacks/jammy', lone(BASE_TOML));
    expect(stack.images.map((i) => [i.key, i.name, i.definition.shell])).toEqual([
      ['build', 'jammy-build', '/bin/bash'],
      ['run', 'jammy-run', '/sbin/nologin'],
    ]);
  });

  it('reports a folder with neither file', () => {
    expect(() => readStack('stacks/x', files({}))).toThrow('stacks/x: (folder): expected an images.json or a stack.toml, found neither');
  });

  it('reports malformed TOML with its line', () => {
    expect(() => readStack('s', lone('id = "a"\n[build\n'))).toThrow(/s\/stack.toml: \(syntax at line 2, column \d+\): expected valid TOML, found/);
  });

  it('reports unknown keys', () => {
    expect(() => readStack('s', lone(BASE_TOML.replace('shell = "/bin/bash"', 'shel = "/bin/bash"')))).toThrow(
      's/stack.toml: build.shel: expected one of the known keys (description, dockerfile, target, uid, gid, shell, args, platforms, mixins), found an unknown key',
    );
    expect(() => readStack('s', lone(`colour = "red"\n${BASE_TOML}`))).toThrow('s/stack.toml: colour: expected one of the known keys');
  });

  it.each([
    [
      'id',
      BASE_TOML.replace('id = "io.buildpacks.stacks.bookworm"', ''),
      's/stack.toml: id: expected a stack id such as "io.buildpacks.stacks.bookworm", found nothing',
    ],
    [
      'dockerfile',
      BASE_TOML.replace('dockerfile = "./build.Dockerfile"', ''),
      's/stack.toml: build.dockerfile: expected the path of a Dockerfile, relative to this stack.toml, found nothing',
    ],
    ['uid', BASE_TOML.replace('uid = 1001', ''), 's/stack.toml: build.uid: expected the cnb user id, a whole number above 0, found nothing'],
    ['gid', BASE_TOML.replace('gid = 1000\n  mixins', 'mixins'), 's/stack.toml: run.gid: expected the cnb group id, a whole number above 0, found nothing'],
    ['[run]', BASE_TOML.split('[run]')[0], 's/stack.toml: run: expected a [run] table (a lone stack.toml makes both images), found none'],
  ])('reports a missing %s', (_field, toml, message) => {
    expect(() => readStack('s', lone(toml))).toThrow(message);
  });

  it('reports a root uid or gid', () => {
    expect(() => readStack('s', lone(BASE_TOML.replace('uid = 1001', 'uid = 0')))).toThrow(
      's/stack.toml: build.uid: expected a non-root user id (above 0): the CNB spec forbids running as root, found number 0',
    );
    expect(() => readStack('s', lone(BASE_TOML.replace('gid = 1000', 'gid = 0')))).toThrow(
      's/stack.toml: build.gid: expected a non-root group id (above 0): the CNB spec forbids running as root, found number 0',
    );
  });

  it('reports a uid of the wrong type', () => {
    expect(() => readStack('s', lone(BASE_TOML.replace('uid = 1001', 'uid = "1001"')))).toThrow('s/stack.toml: build.uid: expected an integer, found "1001"');
  });

  it('warns when build and run users share a uid', () => {
    const stack = readStack('s', lone(BASE_TOML.replace('uid = 1002', 'uid = 1001')));
    expect(stack.warnings).toEqual([
      's/stack.toml: run.uid: the run image user (1001) should differ from the build image user (1001), as the CNB platform spec asks',
    ]);
  });

  it('reports a build:-prefixed mixin on the run image', () => {
    const toml = BASE_TOML.replace('mixins = ["run:tzdata", "wget"]', 'mixins = ["build:git", "wget"]');
    expect(() => readStack('s', lone(toml))).toThrow('s/stack.toml: run.mixins[0]: expected no build:-prefixed mixin on a run image, found "build:git"');
  });

  it('reports a run:-prefixed mixin on the build image', () => {
    const toml = BASE_TOML.replace('mixins = ["build:git", "wget"]', 'mixins = ["run:tzdata", "wget"]');
    expect(() => readStack('s', lone(toml))).toThrow('s/stack.toml: build.mixins[0]: expected no run:-prefixed mixin on a build image, found "run:tzdata"');
  });

  it('reports an unprefixed mixin missing from the run image', () => {
    expect(() => readStack('s', lone(BASE_TOML.replace('mixins = ["run:tzdata", "wget"]', 'mixins = []')))).toThrow(
      's/stack.toml: build.mixins[1]: expected the unprefixed mixin "wget" on the run image too (or a "build:" prefix), found it only on the build image',
    );
  });

  it.each(['io buildpacks', '-leading', 'trailing.', 'a..b', '*'])('reports the invalid stack id %j', (id) => {
    expect(() => readStack('s', lone(BASE_TOML.replace('io.buildpacks.stacks.bookworm', id)))).toThrow(
      's/stack.toml: id: expected a stack id of letters, digits, ".", "/" and "-"',
    );
  });

  it.each([
    ['linux', 'the form os/arch or os/arch/variant'],
    ['linux/sparc', 'an architecture of amd64'],
    ['linux/arm64/8', 'a variant such as v7 or v8'],
  ])('reports the invalid platform %j', (platform, expected) => {
    expect(() => readStack('s', lone(BASE_TOML.replace('"linux/arm64"]', `"${platform}"]`)))).toThrow(`s/stack.toml: platforms[1]: expected ${expected}`);
  });

  it('reports an invalid per-platform args key', () => {
    expect(() => readStack('s', lone(BASE_TOML.replace('[build.platforms."linux/arm64".args]', '[build.platforms."arm64".args]')))).toThrow(
      's/stack.toml: build.platforms.arm64: expected a platform key with the form os/arch or os/arch/variant, found "arm64"',
    );
  });

  it("takes jam's name, support-url and bug-report-url for the run image's /etc/os-release, defaulting the URLs from a GitHub homepage", () => {
    const named = BASE_TOML.replace('maintainer = "Acme"', 'maintainer = "Acme"\nname = "Acme Bookworm"\nhomepage = "https://github.com/acme/stacks/"');
    const [build, run] = readStack('s', lone(named)).images;
    expect(build.osRelease).toEqual({});
    expect(run.osRelease).toEqual({
      PRETTY_NAME: 'Acme Bookworm',
      HOME_URL: 'https://github.com/acme/stacks/',
      SUPPORT_URL: 'https://github.com/acme/stacks/blob/main/README.md',
      BUG_REPORT_URL: 'https://github.com/acme/stacks/issues/new',
    });
    const own = named.replace('name = "Acme Bookworm"', 'support-url = "https://acme.example/help"\nbug-report-url = "https://acme.example/bugs"');
    expect(readStack('s', lone(own)).images[1].osRelease).toMatchObject({
      SUPPORT_URL: 'https://acme.example/help',
      BUG_REPORT_URL: 'https://acme.example/bugs',
    });
    // Only a GitHub homepage says where support and bug reports go; nothing set, nothing rewritten.
    expect(readStack('s', lone(BASE_TOML.replace('maintainer', 'homepage = "https://acme.example"\nmaintainer'))).images[1].osRelease).toEqual({
      HOME_URL: 'https://acme.example',
    });
    expect(readStack('s', lone(BASE_TOML)).images[1].osRelease).toEqual({});
  });

  it('reports a name with a line break, which would add a line to /etc/os-release', () => {
    expect(() => readStack('s', lone(BASE_TOML.replace('maintainer = "Acme"', 'name = "Acme\\nID=evil"')))).toThrow(
      's/stack.toml: name: expected one line of text, without control characters, found "Acme\\nID=evil"',
    );
  });

  it('reports a missing Dockerfile with its path', () => {
    const stackFiles = files({ 'stack.toml': BASE_TOML, 'build.Dockerfile': 'FROM x' });
    expect(() => readStack('stacks/x', stackFiles)).toThrow(
      'stacks/x/stack.toml: run.dockerfile: expected an existing Dockerfile, found no file at stacks/x/run.Dockerfile',
    );
  });

  it('reports a Dockerfile outside the workspace', () => {
    expect(() => readStack('s', lone(BASE_TOML.replace('./run.Dockerfile', '../../etc/passwd')))).toThrow(
      's/stack.toml: run.dockerfile: expected a Dockerfile inside the workspace, found "../../etc/passwd"',
    );
  });

  it('reports a folder name that cannot name images', () => {
    expect(() => readStack('stacks/Acme', lone(BASE_TOML))).toThrow(
      'stacks/Acme/stack.toml: (folder name): expected a folder name that can name images (lowercase letters, digits, ".", "_" or "-" (it becomes part of an image name)), as a lone stack.toml names its images after its folder, found "Acme"',
    );
  });

  it('reports build args that are not strings', () => {
    expect(() => readStack('s', lone(BASE_TOML.replace('packages = "git wget"\n', 'packages = 3\n')))).toThrow(
      's/stack.toml: build.args.packages: expected a string, found number 3',
    );
  });
});

describe('readStack: warnings', () => {
  it('warns about build args that look like secrets', () => {
    const toml = BASE_TOML.replace('packages = "git wget"\n', 'packages = "git wget"\n    NPM_TOKEN = "abc"\n    db_password = "x"\n');
    expect(readStack('s', lone(toml)).warnings).toEqual([
      's/stack.toml: build.args.NPM_TOKEN: build args end up in the image history for anyone who pulls it; pass secrets as BuildKit secrets (RUN --mount=type=secret) instead',
      's/stack.toml: build.args.db_password: build args end up in the image history for anyone who pulls it; pass secrets as BuildKit secrets (RUN --mount=type=secret) instead',
    ]);
  });
});

describe('readStack: files that are not configuration', () => {
  it('refuses a huge stack.toml before parsing it', () => {
    const huge = BASE_TOML + `# ${'x'.repeat(1024 * 1024)}\n`;
    expect(() => readStack('s', lone(huge))).toThrow(/^s\/stack.toml: \(file\): expected a file of at most 1048576 bytes, found 10\d{5} bytes$/);
  });

  it('refuses binary garbage in images.json', () => {
    expect(() => readStack('s', paketo({ 'images.json': '{"images": \u0000\u0001\u0002}' }))).toThrow(
      's/images.json: (file): expected a text file, found binary data (a NUL byte at offset 11)',
    );
  });

  it('shows a syntax error in garbage as one printable line', () => {
    let message = '';
    try {
      readStack('s', lone('\u0007\u001b[31m = = \u00ff\n'.repeat(3)));
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/^s\/stack.toml: \(syntax at line 1, column \d+\): expected valid TOML, found [\x20-\x7e]+$/);
  });
});

describe("jam's [deprecated] mixins = true", () => {
  const undeclared = (toml: string) => toml.replace(/\n {2}mixins = .*\n/g, '\n');
  const derive = (toml: string) => `${undeclared(toml)}\n[deprecated]\n  mixins = true\n`;

  it('marks the images that derive mixins and pairs each with the image its packages are compared with', () => {
    const stack = readStack('stacks/acme', paketo({ 'base/stack.toml': derive(BASE_TOML), 'tiny/stack.toml': derive(TINY_TOML) }));
    expect(stack.images.map((i) => [i.key, i.deriveMixins, mixinPair(stack, i)?.key])).toEqual([
      ['build', true, 'run'],
      ['run', true, 'build'],
      ['run-tiny', true, 'build'],
    ]);
  });

  it('reports declared mixins beside derived ones', () => {
    expect(() => readStack('s', lone(`${BASE_TOML}\n[deprecated]\n  mixins = true\n`))).toThrow(
      's/stack.toml: build.mixins: expected no declared mixins, as [deprecated] mixins = true derives them from the package lists, found an array (["build:git","wget"])',
    );
  });

  it('reports a run image with no build image to pair with', () => {
    const json = JSON.stringify({ os_name: 'debian', os_codename: 'bookworm', images: [{ name: 'tiny', config_dir: 'tiny', stack_type: 'tiny' }] });
    expect(() => readStack('stacks/acme', paketo({ 'images.json': json, 'tiny/stack.toml': derive(TINY_TOML) }))).toThrow(
      'stacks/acme/tiny/stack.toml: deprecated.mixins: expected a build image in the stack for the run image to be paired with (jam derives mixins from the packages of a build/run pair), found a stack without one',
    );
  });

  it('derives as jam does: packages in both images unprefixed, the others prefixed with their image', () => {
    expect(deriveMixins(['git', 'libc6', 'tzdata', 'gcc'], ['tzdata', 'libc6', 'ca-certificates'])).toEqual({
      build: ['build:gcc', 'build:git', 'libc6', 'tzdata'],
      run: ['libc6', 'run:ca-certificates', 'tzdata'],
    });
  });
});
