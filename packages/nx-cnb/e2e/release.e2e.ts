import * as CDX from '@cyclonedx/cyclonedx-library';
import type Docker from 'dockerode';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { connectEngine } from '../src/engine/docker-engine';
import type { ImageReceipt } from '../src/receipt/receipt';
import { expectSuccess, TempWorkspace, removeImagesUnder } from './workspace';
import { loneStackToml } from '../src/testing/files';

jest.setTimeout(30 * 60 * 1000);

// The release loop on the real engine, registry and Debian mirror: build, publish, change one package list, diff, notes, publish, check-updates.
const repository = `127.0.0.1:5000/nx-cnb-e2e-release-${process.pid}`;
// The Debian base for every platform, as one index (tools/base-image.sh).
const BASE = '127.0.0.1:5000/nx-cnb/debian:bookworm';
const STACK_TOML = (packages: string) => loneStackToml('io.buildpacks.stacks.rel', { runArgs: { packages } });
// The run image opts in to the lock: it records the pinned versions it was given, and installs its packages at those versions when it has them.
const RUN_DOCKERFILE = `FROM nx-cnb/debian:bookworm
ARG packages
ARG locked_packages
RUN set -eux; apt-get update -qq; \\
    pins=""; for p in \${packages}; do v="$(printf '%s\\n' \${locked_packages} | sed -n "s/^$p=//p")"; pins="$pins $p\${v:+=$v}"; done; \\
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $pins; \\
    printf '%s\\n' \${locked_packages} > /etc/locked-packages; rm -rf /var/lib/apt/lists/*
`;

let docker: Docker;
let ws: TempWorkspace;
const started = Date.now();

beforeAll(async () => {
  docker = (await connectEngine()).docker;
  ws = new TempWorkspace({ repository });
  ws.write('stacks/rel/stack.toml', STACK_TOML('zip'));
  ws.write('stacks/rel/build.Dockerfile', 'FROM nx-cnb/debian:bookworm\n');
  ws.write('stacks/rel/run.Dockerfile', RUN_DOCKERFILE);
  // A second stack, to show that a lock change reaches only its own stack.
  ws.write('stacks/other/stack.toml', STACK_TOML('zip').replace('io.buildpacks.stacks.rel', 'io.buildpacks.stacks.other'));
  ws.write('stacks/other/build.Dockerfile', 'FROM nx-cnb/debian:bookworm\n');
  ws.write('stacks/other/run.Dockerfile', 'FROM nx-cnb/debian:bookworm\n');
  // A distroless stack for linux/amd64 and linux/arm64, assembled without emulation (the generator's Dockerfile):
  // an SBOM per platform, and arm64 packages checked for updates on the engine's own platform.
  ws.write(
    'stacks/lean/images.json',
    JSON.stringify({ platforms: ['linux/amd64', 'linux/arm64'], os_name: 'lean', images: [{ name: 'static', config_dir: 'static', stack_type: 'static' }] }),
  );
  ws.write(
    'stacks/lean/static/stack.toml',
    `id = "io.buildpacks.stacks.lean"\nplatforms = ["linux/amd64", "linux/arm64"]\n[run]\n  dockerfile = "./run.Dockerfile"\n  uid = 1002\n  gid = 1000\n  [run.args]\n    base_image = "${BASE}"\n    packages = "base-files tzdata"\n`,
  );
  ws.write('stacks/lean/static/run.Dockerfile', readFileSync(join(__dirname, '../src/generators/stack/files/distroless.Dockerfile'), 'utf8'));
  ws.git('init', '-q', '-b', 'main');
  ws.git('add', '-A');
  ws.git('commit', '-qm', 'zip');
});

afterAll(async () => {
  await removeImagesUnder(docker, repository);
  ws?.remove();
  console.log(`release e2e wall time: ${((Date.now() - started) / 1000).toFixed(0)} s`);
});

const dist = (path: string) => join(ws.root, 'dist/stacks/rel', path);
const receipt = (key: string) => JSON.parse(readFileSync(dist(`${key}/receipt.json`), 'utf8')) as ImageReceipt;
const names = (key: string) => receipt(key).platforms[0].packages.map((p) => p.name);

describe('the release loop of a stack', () => {
  it('writes a valid CycloneDX SBOM beside each image receipt', async () => {
    expectSuccess(ws.nx('run', 'rel:build-image'));
    expect(names('run')).toContain('zip');
    const text = readFileSync(dist('run/sbom.linux-amd64.cdx.json'), 'utf8');
    expect(await new CDX.Validation.JsonStrictValidator(CDX.Spec.Version.v1dot6).validate(text)).toBeNull();
    const sbom = JSON.parse(text);
    const zip = sbom.components.find((c: { name: string }) => c.name === 'zip');
    expect(zip.purl).toMatch(/^pkg:deb\/debian\/zip@3\.0-[^?]+\?arch=amd64&distro=debian-12$/);
    // Licenses where dpkg's copyright file is machine-readable (DEP-5, as dash's is), as SPDX ids where SPDX has
    // them; a free-form one (libc6's) gives none rather than a guess.
    type Component = { name: string; licenses?: { license: { id?: string; name?: string } }[] };
    const licenses = (name: string) => (sbom.components as Component[]).find((c) => c.name === name)!.licenses?.map((l) => l.license.id ?? l.license.name);
    expect(licenses('dash')).toEqual(expect.arrayContaining(['BSD-3-Clause', 'GPL-2.0-or-later', 'public-domain']));
    expect(licenses('libc6')).toBeUndefined();
  });

  it('writes an SBOM for each platform of an image', async () => {
    expectSuccess(ws.nx('run', 'lean:build-image'));
    for (const arch of ['amd64', 'arm64']) {
      const text = readFileSync(join(ws.root, `dist/stacks/lean/run-static/sbom.linux-${arch}.cdx.json`), 'utf8');
      expect(await new CDX.Validation.JsonStrictValidator(CDX.Spec.Version.v1dot6).validate(text)).toBeNull();
      const sbom = JSON.parse(text);
      expect(sbom.metadata.component.properties).toContainEqual({ name: 'nx-cnb:image:platform', value: `linux/${arch}` });
      expect(sbom.components.find((c: { name: string }) => c.name === 'base-files').purl).toMatch(new RegExp(`\\?arch=${arch}&distro=debian-12$`));
      expect(sbom.components.find((c: { name: string }) => c.name === 'tzdata').purl).toMatch(/\?arch=all&distro=debian-12$/);
    }
  });

  it('refuses a diff with no baseline yet, and a baseline that does not exist, in one clear line each', () => {
    let run = ws.nx('run', 'rel:diff');
    expect(run.status).not.toBe(0);
    expect(run.output).toContain('baseline the last publish (dist/stacks/rel/publish): no published image receipts in dist/stacks/rel/publish');
    run = ws.nx('run', 'rel:diff', '--baseline=ref:no-such-branch');
    expect(run.status).not.toBe(0);
    expect(run.output).toContain('baseline ref:no-such-branch: no commit named "no-such-branch" in this repository');
    run = ws.nx('run', 'rel:diff', '--baseline=yesterday');
    expect(run.output).toContain(
      'nx-cnb:diff: --baseline: expected "published", "registry", "ref:<git ref>" or "dir:<folder of published receipts>", found "yesterday"',
    );
  });

  it('publishes the first release', () => {
    expectSuccess(ws.nx('run', 'rel:publish'));
    expect(existsSync(join(ws.root, 'dist/stacks/rel/publish/run/sbom.linux-amd64.cdx.json'))).toBe(true);
  });

  it('shows exactly the package list change after a rebuild, and blocks the removal', () => {
    ws.write('stacks/rel/stack.toml', STACK_TOML('unzip'));
    ws.git('commit', '-qam', 'unzip instead of zip');
    const run = ws.nx('run', 'rel:diff');
    expect(run.status).not.toBe(0);
    expect(run.output).toMatch(/run \(linux\/amd64\): 1 added, 1 removed, \d+ unchanged\n.*\+ unzip 6\.0-\S+\n.*- zip 3\.0-\S+\n/);
    expect(run.output).toMatch(/build \(linux\/amd64\): no changes/);
    expect(run.output).toContain('1 package(s) removed since the baseline');
    expect(run.output).toContain('Pass --allowRemovals to release anyway.');
    const md = readFileSync(dist('diff/diff.md'), 'utf8');
    expect(md).toMatch(/\| added \| unzip \| \| 6\.0-\S+ \|/);
    expect(md).toMatch(/\| removed \| zip \| 3\.0-\S+ \| \|/);
    // The receipts no longer matched the committed stack files, so diff ran the image tasks first; now they match.
    expect(run.output).toContain('running image-build, image-run first');
    const again = ws.nx('run', 'rel:diff', '--allowRemovals');
    expectSuccess(again);
    expect(again.output).not.toContain('running image-');
    expect(again.output).not.toContain('nx run rel:image-');
  });

  it('reads the same change against the registry images, and leaves the local tags alone', async () => {
    const diffLines = (output: string) => output.match(/^.* {2}[+-] .*$/gm);
    const published = ws.nx('run', 'rel:diff', '--allowRemovals');
    const registry = ws.nx('run', 'rel:diff', '--allowRemovals', '--baseline=registry');
    expectSuccess(registry);
    expect(registry.output).toContain('package changes against the images in the registry');
    expect(diffLines(registry.output)).toEqual(diffLines(published.output));
    expect((await docker.getImage(`${repository}/rel-run:latest`).inspect()).Id).toBe(receipt('run').platforms[0].imageId);
  });

  it('reads the same change against a git ref, from the Nx cache', () => {
    const diffLines = (output: string) => output.match(/^.* {2}[+-] .*$/gm);
    const published = ws.nx('run', 'rel:diff', '--allowRemovals');
    const ref = ws.nx('run', 'rel:diff', '--allowRemovals', '--baseline=ref:HEAD~1');
    expectSuccess(ref);
    expect(ref.output).toMatch(/package changes against HEAD~1 \([0-9a-f]{12}\)/);
    expect(diffLines(ref.output)).toEqual(diffLines(published.output));
    // A commit never built with this cache is refused, and nothing is built for it.
    ws.git('checkout', '-q', '-b', 'never-built');
    ws.write('stacks/rel/stack.toml', STACK_TOML('zip unzip'));
    ws.git('commit', '-qam', 'never built');
    ws.git('checkout', '-q', 'main');
    const never = ws.nx('run', 'rel:diff', '--allowRemovals', '--baseline=ref:never-built');
    expect(never.status).not.toBe(0);
    expect(never.output).toMatch(/baseline ref:never-built \([0-9a-f]{12}\): its image tasks are not in the Nx cache; build that commit once/);
    // The temporary worktrees are gone.
    expect(ws.git('worktree', 'list').trim().split('\n')).toHaveLength(1);
  });

  it('writes release notes with the package changes and the stack.toml diff, and publishes them with the version', () => {
    const blocked = ws.nx('run', 'rel:release-notes');
    expect(blocked.status).not.toBe(0);
    expect(existsSync(dist('release/release-notes.md'))).toBe(false);
    expectSuccess(ws.nx('run', 'rel:release-notes', '--allowRemovals'));
    const notes = readFileSync(dist('release/release-notes.md'), 'utf8');
    expect(notes).toContain('# rel 0.1.0');
    expect(notes).toMatch(/\| removed \| zip \|/);
    expect(notes).toContain('- M `stacks/rel/stack.toml`');
    expect(notes).toContain('-    packages = "zip"\n+    packages = "unzip"');
    expectSuccess(ws.nx('run', 'rel:publish'));
    const publishReceipt = JSON.parse(readFileSync(dist('publish/receipt.json'), 'utf8'));
    expect(publishReceipt.version).toBe('0.1.0');
    expect(publishReceipt.published.map((p: { reference: string }) => p.reference)).toContain(`${repository}/rel-run:0.1.0`);
    expect(readFileSync(dist('publish/release-notes.md'), 'utf8')).toMatch(
      new RegExp(`## Published[\\s\\S]*${repository}/rel-run:0\\.1\\.0@sha256:[0-9a-f]{64}`),
    );
  });

  it('asks the Debian mirror for updates, and --write makes nx affected select exactly that stack', () => {
    const check = ws.nx('run', 'rel:check-updates');
    expectSuccess(check);
    expect(check.output).toMatch(/run \(linux\/amd64\): (all \d+ packages current|\d+ of \d+ packages have updates)/);
    console.log(check.output.match(/check-updates took .* s/)?.[0]);
    expect(existsSync(join(ws.root, 'stacks/rel/packages.lock.json'))).toBe(false);

    // arm64 is asked on the engine's own platform, from the base image the distroless Dockerfile fetched its packages through.
    const lean = ws.nx('run', 'lean:check-updates', '--write');
    expectSuccess(lean);
    expect(lean.output).toContain(`packages for arm64, from a container of ${BASE} (linux/amd64)`);
    expect(lean.output).toMatch(/run-static \(linux\/arm64\): (all 2 packages current|\d of 2 packages have updates)/);
    console.log(lean.output.match(/check-updates took .* s/)?.[0], '(lean, amd64 and arm64)');
    const leanLock = JSON.parse(readFileSync(join(ws.root, 'stacks/lean/packages.lock.json'), 'utf8'));
    expect(Object.keys(leanLock.images['run-static'])).toEqual(['linux/amd64', 'linux/arm64']);
    expect(leanLock.images['run-static']['linux/arm64']['base-files']).toMatch(/^12\./);
    ws.git('add', 'stacks/lean/packages.lock.json');
    ws.git('commit', '-qm', 'lean lock');

    expectSuccess(ws.nx('run', 'rel:check-updates', '--write'));
    const lock = JSON.parse(readFileSync(join(ws.root, 'stacks/rel/packages.lock.json'), 'utf8'));
    expect(Object.keys(lock.images).sort()).toEqual(['build', 'run']);
    expect(lock.images.run['linux/amd64'].unzip).toMatch(/^6\.0-/);
    ws.git('add', '-A');
    ws.git('commit', '-qm', 'lock');
    const affected = ws.nx('show', 'projects', '--affected', '--base=HEAD~1', '--head=HEAD');
    expectSuccess(affected);
    expect(
      affected.output
        .trim()
        .split('\n')
        .filter((l) => /^\w+$/.test(l)),
    ).toEqual(['rel']);
  });

  it('rebuilds the stack after the lock change, pinned to the locked versions where the Dockerfile opts in', async () => {
    expectSuccess(ws.nx('affected', '-t', 'build-image', '--base=HEAD~1', '--head=HEAD'));
    const lock = JSON.parse(readFileSync(join(ws.root, 'stacks/rel/packages.lock.json'), 'utf8'));
    const container = await docker.createContainer({ Image: `${repository}/rel-run:latest`, Cmd: ['cat', '/etc/locked-packages'] });
    await container.start();
    await container.wait();
    const logs = ((await container.logs({ stdout: true })) as Buffer).toString('utf8');
    await container.remove({ force: true });
    expect(logs).toContain(`unzip=${lock.images.run['linux/amd64'].unzip}`);
    expect(names('run')).toContain('unzip');
  });
});
