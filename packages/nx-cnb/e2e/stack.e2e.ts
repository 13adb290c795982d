import type Docker from 'dockerode';
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { extract } from 'tar-stream';
import { connectEngine } from '../src/engine/docker-engine';
import type { ImageReceipt } from '../src/receipt/receipt';
import { TempWorkspace, taskOutcomes, expectSuccess } from './workspace';

// Builds on a real engine take minutes, not the 5 s jest allows by default.
jest.setTimeout(30 * 60 * 1000);

// A stack generated into a fresh workspace and built on the real engine, as a new user would.
const repository = `nx-cnb-e2e-${process.pid}`;
const ref = (name: string) => `${repository}/${name}:latest`;
const IMAGES = ['build', 'run', 'run-tiny', 'run-static'] as const;
const NAMES: Record<(typeof IMAGES)[number], string> = {
  build: 'debian-bookworm-build',
  run: 'debian-bookworm-run',
  'run-tiny': 'debian-bookworm-run-tiny',
  'run-static': 'debian-bookworm-run-static',
};

const HOMEPAGE = 'https://github.com/acme/stacks';

let docker: Docker;
let ws: TempWorkspace;

beforeAll(async () => {
  docker = (await connectEngine()).docker;
  ws = new TempWorkspace({ repository });
});

afterAll(async () => {
  for (const name of Object.values(NAMES))
    await docker
      ?.getImage(ref(name))
      .remove({ force: true })
      .catch(() => undefined);
  ws?.remove();
});

const receipt = (key: string) => JSON.parse(readFileSync(join(ws.root, 'dist/stacks/acme', key, 'receipt.json'), 'utf8')) as ImageReceipt;
const expectOk = expectSuccess;

/** Every path of the image's file system, with its tar entry type (file, directory, symlink…). */
async function entriesOf(image: string): Promise<Map<string, string>> {
  const container = await docker.createContainer({ Image: image, Cmd: ['/none'] });
  try {
    const entries = new Map<string, string>();
    const tar = extract();
    tar.on('entry', (header, stream, next) => {
      entries.set(header.name.replace(/\/$/, ''), header.type);
      stream.on('end', next);
      stream.resume();
    });
    const done = new Promise((resolve, reject) => tar.on('finish', resolve).on('error', reject));
    ((await container.export()) as NodeJS.ReadableStream).pipe(tar);
    await done;
    return entries;
  } finally {
    await container.remove({ force: true });
  }
}

const filesOf = async (image: string) => new Set((await entriesOf(image)).keys());

async function runIn(image: string, cmd: string[]): Promise<string> {
  const container = await docker.createContainer({ Image: image, Cmd: cmd, Tty: true });
  try {
    await container.start();
    await container.wait();
    return ((await container.logs({ stdout: true, stderr: true })) as Buffer).toString('utf8').trim();
  } finally {
    await container.remove({ force: true });
  }
}

describe('a generated stack on the real engine', () => {
  it('is scaffolded by nx g nx-cnb:stack', () => {
    expectOk(ws.nx('g', 'nx-cnb:stack', 'acme', '--maintainer=e2e', `--homepage=${HOMEPAGE}`, '--displayName=Acme Bookworm', '--platforms=linux/amd64'));
    for (const file of ['images.json', 'base/stack.toml', 'base/build.Dockerfile', 'base/run.Dockerfile', 'tiny/stack.toml', 'static/run.Dockerfile']) {
      expect(existsSync(join(ws.root, 'stacks/acme', file))).toBe(true);
    }
    // A user's workspace is a git repository; nx affected compares against this baseline.
    ws.git('init', '-q', '-b', 'main');
    ws.git('add', '-A');
    ws.git('commit', '-qm', 'baseline');
  });

  it('refuses to generate over the existing stack', () => {
    const run = ws.nx('g', 'nx-cnb:stack', 'acme');
    expect(run.status).not.toBe(0);
    expect(run.output).toContain('stacks/acme already exists; nx-cnb will not overwrite it');
  });

  it('builds every image with nx run-many -t build-image', () => {
    const run = ws.nx('run-many', '-t', 'build-image');
    expectOk(run);
    const outcomes = taskOutcomes(run.output);
    for (const key of IMAGES) expect(outcomes[`acme:image-${key}`]).toBe('ran');
    for (const key of IMAGES) {
      expect(receipt(key)).toMatchObject({ image: key, references: [ref(NAMES[key])], stackId: 'io.buildpacks.stacks.bookworm', archive: 'image.tar' });
    }
  });

  it('gives the build image the cnb user, CNB env and stack labels', async () => {
    const info = await docker.getImage(ref(NAMES.build)).inspect();
    expect(info.Config.User).toBe('1001:1000');
    expect(info.Config.Env).toEqual(expect.arrayContaining(['CNB_USER_ID=1001', 'CNB_GROUP_ID=1000', 'CNB_STACK_ID=io.buildpacks.stacks.bookworm']));
    expect(info.Config.Env.some((e) => e.startsWith('PATH='))).toBe(true);
    expect(info.Os).toBe('linux');
    expect(info.Config.Labels).toMatchObject({
      'io.buildpacks.stack.id': 'io.buildpacks.stacks.bookworm',
      'io.buildpacks.stack.mixins': '[]',
      'io.buildpacks.base.distro.name': 'debian',
      'io.buildpacks.base.distro.version': '12',
      'io.buildpacks.base.maintainer': 'e2e',
      'io.buildpacks.stack.maintainer': 'e2e',
    });
    expect(await runIn(ref(NAMES.build), ['sh', '-c', 'id -u; id -g; whoami; echo $HOME; test -w /home/cnb && echo writable'])).toBe(
      ['1001', '1000', 'cnb', '/home/cnb', 'writable'].join('\r\n'),
    );
    expect(receipt('build').platforms[0].packages.map((p) => p.name)).toEqual(expect.arrayContaining(['build-essential', 'git', 'ca-certificates']));
  });

  it('makes rebasable run images with a user that differs from the build user', async () => {
    for (const key of ['run', 'run-tiny', 'run-static'] as const) {
      const info = await docker.getImage(ref(NAMES[key])).inspect();
      expect(info.Config.User).toBe('1002:1000');
      expect(info.Config.Labels).toMatchObject({
        'io.buildpacks.rebasable': 'true',
        'io.buildpacks.stack.id': 'io.buildpacks.stacks.bookworm',
        'io.buildpacks.base.id': 'io.buildpacks.stacks.bookworm',
        'io.buildpacks.base.distro.name': 'debian',
        'io.buildpacks.base.distro.version': '12',
      });
    }
    expect(await runIn(ref(NAMES.run), ['sh', '-c', 'id -u; whoami'])).toBe('1002\r\ncnb');
  });

  it('assembles a shell-less static run image with passwd, CA certificates and tzdata', async () => {
    const files = await filesOf(ref(NAMES['run-static']));
    expect(files.has('bin/sh') || files.has('usr/bin/sh') || files.has('usr/bin/bash')).toBe(false);
    for (const file of ['etc/passwd', 'etc/group', 'etc/ssl/certs/ca-certificates.crt', 'usr/share/zoneinfo/UTC', 'var/lib/dpkg/status.d/tzdata', 'home/cnb']) {
      expect(files).toContain(file);
    }
    const passwd = await readFromImage(ref(NAMES['run-static']), 'etc/passwd');
    expect(passwd).toContain('cnb:x:1002:1000::/home/cnb:/sbin/nologin');
    expect(receipt('run-static').platforms[0].packages.map((p) => p.name)).toEqual(['base-files', 'ca-certificates', 'netbase', 'tzdata']);
  });

  it('assembles a shell-less tiny run image that still lists its packages', async () => {
    const files = await filesOf(ref(NAMES['run-tiny']));
    expect(files.has('bin/sh') || files.has('usr/bin/sh')).toBe(false);
    expect(files).toContain('var/lib/dpkg/status.d/libc6');
    expect(receipt('run-tiny').platforms[0].packages.map((p) => p.name)).toEqual(expect.arrayContaining(['libc6', 'libssl3', 'openssl', 'zlib1g']));
  });

  describe("meets the contract of Paketo's stack acceptance tests", () => {
    const labelsOf = async (key: (typeof IMAGES)[number]) => (await docker.getImage(ref(NAMES[key])).inspect()).Config.Labels;
    const contains = (text: string, lines: string[]) => lines.forEach((line) => expect(text.split('\n')).toContain(line));
    // Paketo's lists in Debian's names; each image must hold every one of them.
    const BUILD_PACKAGES = ['build-essential', 'ca-certificates', 'curl', 'git', 'jq', 'libexpat1', 'libgmp-dev', 'libssl3', 'libyaml-0-2', 'netbase'];
    const MORE_BUILD_PACKAGES = ['openssl', 'pkg-config', 'tzdata', 'xz-utils', 'zlib1g-dev'];
    const RUN_PACKAGES = ['base-files', 'ca-certificates', 'libc6', 'libexpat1', 'libssl3', 'libyaml-0-2', 'netbase', 'openssl', 'tzdata', 'zlib1g'];
    const TINY_PACKAGES = ['base-files', 'ca-certificates', 'libc6', 'libgcc-s1', 'libssl3', 'libstdc++6', 'netbase', 'openssl', 'tzdata', 'zlib1g'];
    const ARCH_ALL = ['ca-certificates', 'netbase', 'tzdata'];
    const expectPackages = (status: string, packages: string[]) =>
      packages.forEach((pkg) => expect([pkg, new RegExp(`^Package: ${pkg.replace(/[+.]/g, '\\$&')}$`, 'm').test(status)]).toEqual([pkg, true]));

    it('labels every image with the homepage, maintainer and one release date for the whole stack', async () => {
      const released = new Set<string>();
      for (const key of IMAGES) {
        const labels = await labelsOf(key);
        expect(labels).toMatchObject({
          'io.buildpacks.stack.homepage': HOMEPAGE,
          'io.buildpacks.stack.maintainer': 'e2e',
          'io.buildpacks.stack.metadata': '{}',
        });
        expect(Date.parse(labels['io.buildpacks.stack.released'])).toBeGreaterThan(0);
        released.add(labels['io.buildpacks.stack.released']);
      }
      expect([...released]).toHaveLength(1);
    });

    it('lets git use the workspace folders of the build image, whoever owns them', async () => {
      contains(await readFromImage(ref(NAMES.build), 'etc/gitconfig'), [
        '[safe]',
        '\tdirectory = /workspace',
        '\tdirectory = /workspace/source-ws',
        '\tdirectory = /workspace/source',
      ]);
      const status = await readFromImage(ref(NAMES.build), 'var/lib/dpkg/status');
      expectPackages(status, [...BUILD_PACKAGES, ...MORE_BUILD_PACKAGES]);
      // jam rebrands run images only.
      expect(await readFromImage(ref(NAMES.build), 'etc/os-release')).toContain('PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"');
    });

    it.each([
      ['run', 'base'],
      ['run-tiny', 'tiny'],
      ['run-static', 'static'],
    ] as const)('gives the %s image the os-release, users and files Paketo checks', async (key, variant) => {
      const image = ref(NAMES[key]);
      contains(await readFromImage(image, 'etc/os-release'), [
        `PRETTY_NAME="Acme Bookworm ${variant}"`,
        `HOME_URL="${HOMEPAGE}"`,
        `SUPPORT_URL="${HOMEPAGE}/blob/main/README.md"`,
        `BUG_REPORT_URL="${HOMEPAGE}/issues/new"`,
        'ID=debian',
      ]);
      const shell = variant === 'base' ? '/bin/bash' : '/sbin/nologin';
      contains(await readFromImage(image, 'etc/passwd'), [`cnb:x:1002:1000::/home/cnb:${shell}`]);
      contains(await readFromImage(image, 'etc/group'), ['cnb:x:1000:']);
      const entries = await entriesOf(image);
      const regular = ['usr/share/doc/ca-certificates/copyright', 'etc/ssl/certs/ca-certificates.crt', 'etc/services', 'etc/nsswitch.conf', 'etc/os-release'];
      if (variant === 'base') regular.push('etc/host.conf');
      for (const path of regular) expect([path, entries.get(path)]).toEqual([path, 'file']);
      for (const path of ['home/cnb', 'root', 'tmp']) expect([path, entries.get(path)]).toEqual([path, 'directory']);
      expect(entries.get('usr/share/ca-certificates')).not.toBe('file');
    });

    it('records the packages of the base run image in dpkg status', async () => {
      const status = await readFromImage(ref(NAMES.run), 'var/lib/dpkg/status');
      expectPackages(status, RUN_PACKAGES);
    });

    it.each([
      ['run-tiny', TINY_PACKAGES],
      ['run-static', ['ca-certificates', 'tzdata']],
    ] as const)('records each package of the %s image in status.d, with its md5sums and file list', async (key, packages) => {
      const image = ref(NAMES[key]);
      for (const pkg of packages) {
        const record = await readFromImage(image, `var/lib/dpkg/status.d/${pkg}`);
        expect(record).toContain(`Package: ${pkg}\n`);
        expect(record).toMatch(/\nVersion: \S+\n/);
        expect(record).toContain(`Architecture: ${ARCH_ALL.includes(pkg) ? 'all' : 'amd64'}\n`);
        expect((await readFromImage(image, `var/lib/dpkg/info/${pkg}.list`)).split('\n')).toContain('/.');
        expect(await readFromImage(image, `var/lib/dpkg/status.d/${pkg}.md5sums`)).toMatch(/^[0-9a-f]{32} {2}\S+/);
      }
    });
  });

  it('is all cache hits when nothing changed', () => {
    const run = ws.nx('run-many', '-t', 'build-image');
    expectOk(run);
    const outcomes = taskOutcomes(run.output);
    for (const key of IMAGES) expect(outcomes[`acme:image-${key}`]).toBe('cache');
  });

  it('puts images back into an engine that lost them, from the cache', async () => {
    const ids = Object.fromEntries(IMAGES.map((key) => [key, receipt(key).platforms[0].imageId]));
    // By ID, with every tag (the plain one and the platform's).
    for (const key of IMAGES) await docker.getImage(ids[key]).remove({ force: true });
    await expect(docker.getImage(ref(NAMES.run)).inspect()).rejects.toMatchObject({ statusCode: 404 });

    const run = ws.nx('run-many', '-t', 'build-image');
    expectOk(run);
    const outcomes = taskOutcomes(run.output);
    for (const key of IMAGES) expect(outcomes[`acme:image-${key}`]).toBe('cache');
    expect(run.output).toContain('loaded from the saved image');
    for (const key of IMAGES) expect((await docker.getImage(ref(NAMES[key])).inspect()).Id).toBe(ids[key]);
  });

  it('rebuilds only the tiny run image when only its Dockerfile changed (nx affected)', () => {
    appendFileSync(join(ws.root, 'stacks/acme/tiny/run.Dockerfile'), '\n# a change that reaches the tiny image only\n');
    const run = ws.nx('affected', '-t', 'build-image', '--base=HEAD');
    expectOk(run);
    const outcomes = taskOutcomes(run.output);
    expect(outcomes['acme:image-run-tiny']).toBe('ran');
    for (const key of ['build', 'run', 'run-static']) expect(outcomes[`acme:image-${key}`]).not.toBe('ran');
  });

  it('carries label text with quotes, $ and backslashes into the image unchanged', async () => {
    const description = 'tiny "run" image for $HOME and ${USER} \\ C:\\path';
    const file = join(ws.root, 'stacks/acme/tiny/stack.toml');
    writeFileSync(file, readFileSync(file, 'utf8').replace(/description = ".*"/, `description = ${JSON.stringify(description)}`));
    expectOk(ws.nx('run', 'acme:image-run-tiny'));
    const labels = (await docker.getImage(ref(NAMES['run-tiny'])).inspect()).Config.Labels;
    expect(labels['io.buildpacks.stack.description']).toBe(description);
    expect(labels['io.buildpacks.base.description']).toBe(description);
    expect(receipt('run-tiny').platforms[0].labels['io.buildpacks.stack.description']).toBe(description);
  });

  it('fails clearly on a broken Dockerfile and leaves no receipt behind', () => {
    const dockerfile = join(ws.root, 'stacks/acme/static/run.Dockerfile');
    writeFileSync(dockerfile, readFileSync(dockerfile, 'utf8').replace('FROM scratch', 'RUN exit 3\nFROM scratch'));
    const run = ws.nx('run', 'acme:image-run-static');
    expect(run.status).not.toBe(0);
    expect(run.output).toMatch(
      /Building stacks\/acme run-static \(.*debian-bookworm-run-static:latest, linux\/amd64\) failed: .*(returned a non-zero code|exit code): 3/,
    );
    expect(existsSync(join(ws.root, 'dist/stacks/acme/run-static/receipt.json'))).toBe(false);
    expect(existsSync(join(ws.root, 'dist/stacks/acme/run-static/image.tar'))).toBe(false);
  });

  it('names the engine it could not reach', () => {
    const run = ws.nxWithEnv({ DOCKER_HOST: 'tcp://127.0.0.1:1' }, 'run', 'acme:image-run', '--skip-nx-cache');
    expect(run.status).not.toBe(0);
    expect(run.output).toContain('No Docker engine answers at DOCKER_HOST=tcp://127.0.0.1:1');
    expect(run.output).toContain('Start Docker (dockerd), or point DOCKER_HOST at a running engine');
  });
});

/** A file's content; a symlink is followed, as a program opening the path would. */
async function readFromImage(image: string, path: string, hops = 0): Promise<string> {
  const container = await docker.createContainer({ Image: image, Cmd: ['/none'] });
  let content = '';
  let link: string | undefined;
  try {
    const tar = extract();
    tar.on('entry', (header, stream, next) => {
      if (header.type === 'symlink') link = header.linkname ?? undefined;
      stream.on('data', (c: Buffer) => (content += c.toString('utf8')));
      stream.on('end', next);
    });
    const done = new Promise((resolve, reject) => tar.on('finish', resolve).on('error', reject));
    ((await container.getArchive({ path: `/${path}` })) as NodeJS.ReadableStream).pipe(tar);
    await done;
  } finally {
    await container.remove({ force: true });
  }
  if (link === undefined || hops > 8) return content;
  return readFromImage(image, posix.join(link.startsWith('/') ? '' : posix.dirname(path), link).replace(/^\//, ''), hops + 1);
}
