import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { extract } from 'tar-stream';
import { Readable } from 'node:stream';
import { applyDecoration, FakeEngine, type FakeImage, type SeenBuild } from '../../testing/fake-engine';
import { fakeIo } from '../../testing/fake-io';
import { commitAll } from '../../testing/receipts';
import { buildIdentity, imageSources } from '../../workspace/image-sources';
import { buildStackImage } from './build-image';
import { writeFileIn } from '../../testing/files';

const STACK_TOML = `
id = "io.buildpacks.stacks.bookworm"
maintainer = "acme"
platforms = ["linux/amd64", "linux/arm64"]
[build]
  dockerfile = "./build.Dockerfile"
  uid = 1001
  gid = 1000
  [build.args]
    base_image = "debian:bookworm"
  [build.platforms."linux/arm64".args]
    base_image = "debian:bookworm-arm64"
[run]
  dockerfile = "./run.Dockerfile"
  uid = 1002
  gid = 1000
`;

const OS_RELEASE = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\n';
const STATUS =
  'Package: libc6\nStatus: install ok installed\nVersion: 2.36-9\nArchitecture: amd64\n\nPackage: gone\nStatus: deinstall ok config-files\nVersion: 1\n';

/** What a stack Dockerfile might make: a Debian userland with dpkg's records. */
function debianImage(overrides: Partial<FakeImage> = {}): FakeImage {
  return {
    os: 'linux',
    architecture: 'amd64',
    env: ['PATH=/usr/bin:/bin'],
    labels: {},
    files: { '/etc/os-release': OS_RELEASE, '/etc/passwd': 'root:x:0:0:root:/root:/bin/bash\n', '/etc/group': 'root:x:0:\n', '/var/lib/dpkg/status': STATUS },
    layers: 2,
    size: 1e8,
    ...overrides,
  };
}

/** The Dockerfile builds make `stackImage` for the platform asked; nx-cnb's decorating builds are applied as the engine would. */
function engineMaking(stackImage: (build: SeenBuild) => FakeImage, decorate: typeof applyDecoration = applyDecoration): FakeEngine {
  return new FakeEngine((build, engine) =>
    build.request.dockerfile === 'Dockerfile' ? decorate(engine, build) : { ...stackImage(build), architecture: build.request.platform!.split('/')[1] },
  );
}

async function tarNames(content: Buffer): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  const tar = extract();
  tar.on('entry', (header, stream, next) => {
    let text = '';
    stream.on('data', (c: Buffer) => (text += c.toString('utf8')));
    stream.on('end', () => {
      files[header.name] = `${header.type} ${header.uid}:${header.gid} ${text}`;
      next();
    });
  });
  const done = new Promise((resolve) => tar.on('finish', resolve));
  Readable.from(content).pipe(tar);
  await done;
  return files;
}

describe('buildStackImage', () => {
  let root: string;
  const write = (path: string, content: string) => writeFileIn(root, path, content);
  const options = (extra = {}) => ({ stack: 'stacks/acme', image: 'build', outputPath: 'dist/stacks/acme/build', repository: '127.0.0.1:5000/acme', ...extra });
  const outputs = () => join(root, 'dist/stacks/acme/build');

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'nx-cnb-build-image-'));
    write('stacks/acme/stack.toml', STACK_TOML);
    write('stacks/acme/build.Dockerfile', 'ARG base_image\nFROM ${base_image}\n');
    write('stacks/acme/run.Dockerfile', 'FROM x\n');
    write('stacks/acme/.dockerignore', 'secret.txt\n');
    write('stacks/acme/secret.txt', 'never sent');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('builds the Dockerfile for every platform, decorates each image as jam does, saves them and writes one receipt', async () => {
    const engine = engineMaking(() => debianImage());
    const receipt = await buildStackImage(options(), fakeIo(root, engine));

    // The platforms build side by side, so in no particular order.
    const byPlatform = (a: SeenBuild, b: SeenBuild) => a.request.platform!.localeCompare(b.request.platform!);
    const dockerfileBuilds = engine.builds.filter((b) => b.request.dockerfile === 'build.Dockerfile').sort(byPlatform);
    expect(dockerfileBuilds.map((b) => [b.request.platform, b.request.buildArgs])).toEqual([
      ['linux/amd64', { base_image: 'debian:bookworm' }],
      ['linux/arm64', { base_image: 'debian:bookworm-arm64' }],
    ]);
    expect(Object.keys(dockerfileBuilds[0].context).sort()).toEqual(['.dockerignore', 'build.Dockerfile', 'run.Dockerfile', 'stack.toml']);
    const decorateBuilds = engine.builds.filter((b) => b.request.dockerfile === 'Dockerfile').sort(byPlatform);
    expect(decorateBuilds.map((b) => [b.request.platform, b.request.tags])).toEqual([
      ['linux/amd64', ['127.0.0.1:5000/acme/acme-build:latest-linux-amd64']],
      ['linux/arm64', ['127.0.0.1:5000/acme/acme-build:latest-linux-arm64']],
    ]);
    const layer = await tarNames(decorateBuilds[0].context['decoration.tar']);
    expect(layer['etc/passwd']).toBe('file 0:0 root:x:0:0:root:/root:/bin/bash\ncnb:x:1001:1000::/home/cnb:/sbin/nologin\n');
    expect(layer['home/cnb']).toBe('directory 1001:1000 ');

    // The plain reference names the engine's own platform's image.
    expect(engine.resolve('127.0.0.1:5000/acme/acme-build:latest')).toBe(engine.resolve('127.0.0.1:5000/acme/acme-build:latest-linux-amd64'));
    const arm = engine.image('127.0.0.1:5000/acme/acme-build:latest-linux-arm64')!;
    expect(arm.architecture).toBe('arm64');
    expect(arm.user).toBe('1001:1000');
    expect(arm.env).toEqual(expect.arrayContaining(['CNB_USER_ID=1001', 'CNB_GROUP_ID=1000', 'CNB_STACK_ID=io.buildpacks.stacks.bookworm']));
    expect(arm.labels).toMatchObject({
      'io.buildpacks.stack.id': 'io.buildpacks.stacks.bookworm',
      'io.buildpacks.base.maintainer': 'acme',
      'io.buildpacks.base.distro.name': 'debian',
      'io.buildpacks.base.distro.version': '12',
    });

    expect(receipt).toMatchObject({
      receiptVersion: 2,
      stack: 'stacks/acme',
      image: 'build',
      kind: 'build',
      references: ['127.0.0.1:5000/acme/acme-build:latest'],
      builder: 'buildkit',
      archive: 'image.tar',
    });
    expect(receipt.platforms.map((p) => [p.platform, p.imageId, p.layers, p.packages])).toEqual(
      ['linux/amd64', 'linux/arm64'].map((platform) => [
        platform,
        engine.resolve(`127.0.0.1:5000/acme/acme-build:latest-${platform.replace('/', '-')}`),
        3,
        [{ name: 'libc6', version: '2.36-9', architecture: 'amd64' }],
      ]),
    );
    // One release date for the stack, from its files (this is no git checkout), on every image.
    const released = receipt.released.replace('.000Z', 'Z');
    expect(receipt.platforms.map((p) => p.labels['io.buildpacks.base.released'])).toEqual([released, released]);
    expect(JSON.parse(readFileSync(join(outputs(), 'receipt.json'), 'utf8'))).toEqual(receipt);
    expect(JSON.parse(readFileSync(join(outputs(), 'image.tar'), 'utf8')).map((saved: { reference: string }) => saved.reference)).toEqual([
      '127.0.0.1:5000/acme/acme-build:latest-linux-amd64',
      '127.0.0.1:5000/acme/acme-build:latest-linux-arm64',
    ]);
  });

  it("writes the stack's name and URLs into a run image's /etc/os-release, as jam does, and leaves the build image's alone", async () => {
    write('stacks/acme/stack.toml', STACK_TOML.replace('maintainer = "acme"', 'name = "Acme Bookworm"\nhomepage = "https://github.com/acme/stacks"'));
    const engine = engineMaking(() => debianImage());
    await buildStackImage(options({ image: 'run', outputPath: 'dist/stacks/acme/run', platform: 'linux/amd64' }), fakeIo(root, engine));
    await buildStackImage(options({ platform: 'linux/amd64' }), fakeIo(root, engine));

    const [run, build] = await Promise.all(
      engine.builds.filter((b) => b.request.dockerfile === 'Dockerfile').map((b) => tarNames(b.context['decoration.tar'])),
    );
    expect(run['etc/os-release']).toBe(
      'file 0:0 PRETTY_NAME="Acme Bookworm"\nID=debian\nVERSION_ID="12"\n' +
        'HOME_URL="https://github.com/acme/stacks"\nSUPPORT_URL="https://github.com/acme/stacks/blob/main/README.md"\n' +
        'BUG_REPORT_URL="https://github.com/acme/stacks/issues/new"\n',
    );
    expect(build['etc/os-release']).toBeUndefined();
  });

  it('takes the release date from SOURCE_DATE_EPOCH when it is set', async () => {
    process.env.SOURCE_DATE_EPOCH = '1767323045';
    try {
      const receipt = await buildStackImage(
        options({ platform: 'linux/amd64' }),
        fakeIo(
          root,
          engineMaking(() => debianImage()),
        ),
      );
      expect(receipt.released).toBe('2026-01-02T03:04:05.000Z');
      expect(receipt.platforms[0].labels['io.buildpacks.base.released']).toBe('2026-01-02T03:04:05Z');
    } finally {
      delete process.env.SOURCE_DATE_EPOCH;
    }
  });

  it('builds only the platform asked for, and refuses one the stack does not declare', async () => {
    const engine = engineMaking(() => debianImage());
    const receipt = await buildStackImage(options({ platform: 'linux/arm64' }), fakeIo(root, engine));
    expect(receipt.platforms.map((p) => p.platform)).toEqual(['linux/arm64']);
    await expect(buildStackImage(options({ platform: 'linux/s390x' }), fakeIo(root, engine))).rejects.toThrow(
      'stacks/acme/stack.toml: platforms: expected linux/s390x (the requested platform), found ["linux/amd64","linux/arm64"]',
    );
  });

  it('refuses, before building anything, a platform the engine cannot run', async () => {
    const engine = engineMaking(() => debianImage());
    engine.runnable = new Set(['linux/amd64']);
    await expect(buildStackImage(options(), fakeIo(root, engine))).rejects.toThrow(
      'stacks/acme/stack.toml: platforms: expected platforms the engine (linux/amd64) can run; to build linux/arm64 on it, register QEMU for arm64 with binfmt_misc',
    );
    expect(engine.builds).toEqual([]);
  });

  it('leaves no receipt when one platform fails, and names the platform', async () => {
    const engine = engineMaking((build) => {
      if (build.request.platform === 'linux/arm64') throw new Error('exec /bin/sh: exec format error');
      return debianImage();
    });
    await expect(buildStackImage(options(), fakeIo(root, engine))).rejects.toThrow(
      'Building stacks/acme build (127.0.0.1:5000/acme/acme-build:latest, linux/arm64) failed: exec /bin/sh: exec format error',
    );
    expect(existsSync(join(outputs(), 'receipt.json'))).toBe(false);
    expect(existsSync(join(outputs(), 'image.tar'))).toBe(false);
  });

  it('catches an image of another platform than the one asked for', async () => {
    const engine = new FakeEngine((build, e) => (build.request.dockerfile === 'Dockerfile' ? applyDecoration(e, build) : debianImage()));
    await expect(buildStackImage(options({ platform: 'linux/arm64' }), fakeIo(root, engine))).rejects.toThrow(
      '- the image config must name the platform linux/arm64, found linux/amd64',
    );
  });

  it('untags an image that breaks the spec and leaves no receipt, not even an earlier one', async () => {
    write('dist/stacks/acme/build/receipt.json', '{"imageId": "sha256:old"}');
    const engine = engineMaking(
      () => debianImage(),
      async (e, build) => ({ ...(await applyDecoration(e, build)), user: '0:0' }),
    );
    await expect(buildStackImage(options({ platform: 'linux/amd64' }), fakeIo(root, engine))).rejects.toThrow(
      /breaks the CNB platform spec:\n {2}- User must be a non-root user, found "0:0"/,
    );
    expect(engine.resolve('127.0.0.1:5000/acme/acme-build:latest-linux-amd64')).toBeUndefined();
    expect(engine.resolve('127.0.0.1:5000/acme/acme-build:latest')).toBeUndefined();
    expect(existsSync(join(outputs(), 'receipt.json'))).toBe(false);
    expect(existsSync(join(outputs(), 'image.tar'))).toBe(false);
  });

  it('needs /etc/os-release to name the distro', async () => {
    const engine = engineMaking(() => debianImage({ files: {} }));
    await expect(buildStackImage(options(), fakeIo(root, engine))).rejects.toThrow('the image has no /etc/os-release, so its distro cannot be named');
    expect(existsSync(join(outputs(), 'receipt.json'))).toBe(false);
  });

  it('reports a failed build with the image it was building', async () => {
    const engine = engineMaking(() => {
      throw new Error("The command '/bin/sh -c exit 3' returned a non-zero code: 3");
    });
    await expect(buildStackImage(options(), fakeIo(root, engine))).rejects.toThrow(
      "Building stacks/acme build (127.0.0.1:5000/acme/acme-build:latest, linux/amd64) failed: The command '/bin/sh -c exit 3' returned a non-zero code: 3",
    );
  });

  it('pushes each platform to the cache registry by digest instead of saving an archive', async () => {
    const engine = engineMaking(() => debianImage());
    const receipt = await buildStackImage(options({ cacheRepository: '127.0.0.1:5000/cache' }), fakeIo(root, engine));
    expect(receipt.archive).toBeNull();
    expect(existsSync(join(outputs(), 'image.tar'))).toBe(false);
    expect(engine.pushes.map((p) => [p.reference, p.imageId])).toEqual(
      receipt.platforms.map((p) => [`127.0.0.1:5000/cache/acme-build:${p.imageId.replace(':', '-')}`, p.imageId]),
    );
    for (const p of receipt.platforms) {
      expect(p.cached).toBe(
        `127.0.0.1:5000/cache/acme-build@${(await engine.registry.getManifest(`127.0.0.1:5000/cache/acme-build:${p.imageId.replace(':', '-')}`))!.digest}`,
      );
      // The push's tag goes again; the image keeps its own.
      expect(engine.resolve(`127.0.0.1:5000/cache/acme-build:${p.imageId.replace(':', '-')}`)).toBeUndefined();
    }
  });

  it('keeps the image out of the outputs when archive is false', async () => {
    const receipt = await buildStackImage(
      options({ archive: false }),
      fakeIo(
        root,
        engineMaking(() => debianImage()),
      ),
    );
    expect(receipt.archive).toBeNull();
    expect(existsSync(join(outputs(), 'image.tar'))).toBe(false);
  });

  it('names the image keys the stack has when asked for another', async () => {
    await expect(buildStackImage(options({ image: 'run-tiny' }), fakeIo(root, new FakeEngine()))).rejects.toThrow(
      'nx-cnb:build-image: options.image: expected an image of stacks/acme (build, run), found "run-tiny"',
    );
  });

  it('writes a CycloneDX SBOM per platform beside the receipt, with licenses from DEP-5 copyright files', async () => {
    const copyright = 'Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\nFiles: *\nLicense: LGPL-2.1+\n';
    const engine = engineMaking((build) => {
      const files = { ...debianImage().files, '/usr/share/doc/libc6/copyright': copyright, '/usr/share/doc/libc6/changelog.gz': 'x' };
      return debianImage({ files: { ...files, '/var/lib/dpkg/status': STATUS.replace('amd64', build.request.platform!.split('/')[1]) } });
    });
    const receipt = await buildStackImage(options(), fakeIo(root, engine));
    expect(receipt.platforms.map((p) => p.platform).sort()).toEqual(['linux/amd64', 'linux/arm64']);
    for (const p of receipt.platforms) {
      const arch = p.platform.split('/')[1];
      expect(p.packages).toEqual([{ name: 'libc6', version: '2.36-9', architecture: arch, licenses: ['LGPL-2.1+'] }]);
      const sbom = JSON.parse(readFileSync(join(outputs(), `sbom.linux-${arch}.cdx.json`), 'utf8'));
      expect(sbom).toMatchObject({
        bomFormat: 'CycloneDX',
        specVersion: '1.6',
        metadata: { component: { name: '127.0.0.1:5000/acme/acme-build:latest', version: p.imageId } },
      });
      expect(sbom.metadata.component.properties).toContainEqual({ name: 'nx-cnb:image:platform', value: p.platform });
      expect(sbom.components).toEqual([
        expect.objectContaining({
          name: 'libc6',
          purl: `pkg:deb/debian/libc6@2.36-9?arch=${arch}&distro=debian-12`,
          licenses: [{ license: { id: 'LGPL-2.1-or-later' } }],
        }),
      ]);
    }
  });

  it('reads the packages of a distroless image from status.d, each with the licenses of its copyright file', async () => {
    const copyright = 'Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\nFiles: *\nLicense: GPL-2+\n';
    const files = {
      '/etc/os-release': OS_RELEASE,
      '/var/lib/dpkg/status.d/base-files': 'Package: base-files\nVersion: 12.4+deb12u5\nArchitecture: amd64\n',
      '/var/lib/dpkg/status.d/base-files.md5sums': 'abc  etc/debian_version\n',
      '/var/lib/dpkg/status.d/tzdata': 'Package: tzdata\nVersion: 2025b-0+deb12u1\nArchitecture: all\n',
      '/usr/share/doc/base-files/copyright': copyright,
      '/usr/share/doc/base-files/README': 'not read',
    };
    const engine = engineMaking(() => debianImage({ env: [], files }));
    const receipt = await buildStackImage(options({ platform: 'linux/amd64' }), fakeIo(root, engine));
    expect(receipt.platforms[0].packages).toEqual([
      { name: 'base-files', version: '12.4+deb12u5', architecture: 'amd64', licenses: ['GPL-2+'] },
      { name: 'tzdata', version: '2025b-0+deb12u1', architecture: 'all' },
    ]);
  });

  it('records what the image was built from, when the stack is committed, for the release targets', async () => {
    const uncommitted = await buildStackImage(
      options(),
      fakeIo(
        root,
        engineMaking(() => debianImage()),
      ),
    );
    expect(uncommitted.sources).toBeNull();
    write('.gitignore', 'dist\n');
    commitAll(root);
    const receipt = await buildStackImage(
      options(),
      fakeIo(
        root,
        engineMaking(() => debianImage()),
      ),
    );
    const inferred = { stack: 'stacks/acme', image: 'build', outputPath: 'dist/stacks/acme/build', repository: '127.0.0.1:5000/acme' };
    expect(receipt.sources).toMatch(/^sha256:/);
    expect(receipt.sources).toBe(await imageSources(root, ['stacks/acme'], buildIdentity(inferred)));
  });

  it('removes an SBOM an earlier run left when the build fails', async () => {
    write('dist/stacks/acme/build/sbom.linux-amd64.cdx.json', '{}');
    const engine = new FakeEngine(() => {
      throw new Error('boom');
    });
    await expect(buildStackImage(options(), fakeIo(root, engine))).rejects.toThrow('boom');
    expect(existsSync(join(outputs(), 'sbom.linux-amd64.cdx.json'))).toBe(false);
  });

  it('pins packages to the stack lock only for a Dockerfile that declares ARG locked_packages', async () => {
    const lock = { 'linux/amd64': { libc6: '2.36-9', zlib1g: '1:1.2.13' }, 'linux/arm64': { libc6: '2.36-9+deb12u1' } };
    write('stacks/acme/packages.lock.json', JSON.stringify({ lockVersion: 1, images: { build: lock } }));
    const argsByPlatform = (engine: FakeEngine) =>
      Object.fromEntries(engine.builds.filter((b) => b.request.dockerfile === 'build.Dockerfile').map((b) => [b.request.platform, b.request.buildArgs]));
    let engine = engineMaking(() => debianImage());
    await buildStackImage(options(), fakeIo(root, engine));
    expect(argsByPlatform(engine)).toEqual({ 'linux/amd64': { base_image: 'debian:bookworm' }, 'linux/arm64': { base_image: 'debian:bookworm-arm64' } });

    write('stacks/acme/build.Dockerfile', 'ARG base_image\nFROM ${base_image}\nARG locked_packages\n');
    engine = engineMaking(() => debianImage());
    await buildStackImage(options(), fakeIo(root, engine));
    expect(argsByPlatform(engine)).toEqual({
      'linux/amd64': { base_image: 'debian:bookworm', locked_packages: 'libc6=2.36-9 zlib1g=1:1.2.13' },
      'linux/arm64': { base_image: 'debian:bookworm-arm64', locked_packages: 'libc6=2.36-9+deb12u1' },
    });
  });

  it('refuses a broken lock with the file and field', async () => {
    write('stacks/acme/build.Dockerfile', 'ARG base_image\nFROM ${base_image}\nARG locked_packages\n');
    write('stacks/acme/packages.lock.json', '{"lockVersion": 0, "images": {}}');
    await expect(
      buildStackImage(
        options(),
        fakeIo(
          root,
          engineMaking(() => debianImage()),
        ),
      ),
    ).rejects.toThrow('stacks/acme/packages.lock.json: lockVersion: expected 1');
  });

  it('refuses a tag that is no Docker tag before touching anything', async () => {
    await expect(buildStackImage(options({ tags: ['$(reboot)'] }), fakeIo(root, new FakeEngine()))).rejects.toThrow(
      'nx-cnb:build-image: options.tags[0]: expected a Docker tag',
    );
  });

  describe("with jam's [deprecated] mixins = true", () => {
    const status = (...names: string[]) => names.map((n) => `Package: ${n}\nStatus: install ok installed\nVersion: 1\nArchitecture: amd64\n`).join('\n');
    // The build Dockerfile makes an image with gcc, git and libc6; the run Dockerfile one with libc6 and tzdata.
    const engineWithPackages = () =>
      engineMaking((build) =>
        debianImage({
          files: {
            ...debianImage().files,
            '/var/lib/dpkg/status': build.request.dockerfile === 'build.Dockerfile' ? status('gcc', 'git', 'libc6') : status('libc6', 'tzdata'),
          },
        }),
      );
    beforeEach(() => write('stacks/acme/stack.toml', `${STACK_TOML}\n[deprecated]\n  mixins = true\n`));
    // One platform: each platform derives its own, the same way.
    const amd64 = (extra = {}) => options({ platform: 'linux/amd64', ...extra });

    it('labels the build image with mixins derived against the run image of its stack.toml, which it builds to read its packages', async () => {
      const engine = engineWithPackages();
      const io = fakeIo(root, engine);
      await buildStackImage(amd64(), io);
      expect(engine.builds.map((b) => b.request.dockerfile)).toEqual(['build.Dockerfile', 'run.Dockerfile', 'Dockerfile']);
      expect(engine.image('127.0.0.1:5000/acme/acme-build:latest')!.labels['io.buildpacks.stack.mixins']).toBe('["build:gcc","build:git","libc6"]');
      expect(io.lines).toContain("build | mixins derived against the packages of run (as jam's [deprecated] mixins = true): 1 in both images, 2 in build only");
    });

    it("labels a run image with mixins derived against the build image's packages from its receipt", async () => {
      const engine = engineWithPackages();
      await buildStackImage(amd64(), fakeIo(root, engine));
      const io = fakeIo(root, engine);
      await buildStackImage(amd64({ image: 'run', outputPath: 'dist/stacks/acme/run', mixinsFrom: 'dist/stacks/acme/build' }), io);
      expect(engine.image('127.0.0.1:5000/acme/acme-run:latest')!.labels['io.buildpacks.stack.mixins']).toBe('["libc6","run:tzdata"]');
      expect(io.lines).toContain("run | mixins derived against the packages of build (as jam's [deprecated] mixins = true): 1 in both images, 1 in run only");
      expect(io.lines.filter((l) => l.startsWith('warning:'))).toEqual([]);
    });

    it('warns when the build image declares mixins the run image lacks, which pack refuses', async () => {
      const engine = engineWithPackages();
      await buildStackImage(amd64(), fakeIo(root, engine));
      // A run image without libc6, as a static one would be.
      const bare = engineMaking(() => debianImage({ files: { ...debianImage().files, '/var/lib/dpkg/status': status('tzdata') } }));
      const io = fakeIo(root, bare);
      await buildStackImage(amd64({ image: 'run', outputPath: 'dist/stacks/acme/run', mixinsFrom: 'dist/stacks/acme/build' }), io);
      expect(io.lines).toContain('warning: run: the build image build declares mixins this run image lacks (libc6); pack refuses a builder that pairs them');
    });

    it('says to build the build image first when its receipt is missing', async () => {
      await expect(
        buildStackImage(amd64({ image: 'run', outputPath: 'dist/stacks/acme/run', mixinsFrom: 'dist/stacks/acme/build' }), fakeIo(root, engineWithPackages())),
      ).rejects.toThrow(
        'dist/stacks/acme/build: no receipt.json of the build image build for linux/amd64, whose packages run derives its mixins against; build it first',
      );
    });
  });
});
