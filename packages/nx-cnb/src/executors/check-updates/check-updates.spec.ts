import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeEngine, type FakeImage } from '../../testing/fake-engine';
import { fakeIo } from '../../testing/fake-io';
import { imageReceiptOf, platformImageOf, writeImageReceipt } from '../../testing/receipts';
import { checkUpdates } from './check-updates';
import { writeFileIn, loneStackToml } from '../../testing/files';

// The build image has apt; the run image is distroless (its packages fetched through its base image's sources).
const STACK_TOML = loneStackToml('io.buildpacks.stacks.bookworm', {
  platforms: ['linux/amd64', 'linux/arm64'],
  runArgs: { base_image: '127.0.0.1:5000/acme/debian:bookworm' },
});
const BUILD = ['apt=2.6.1', 'libc6=2.36-9+deb12u7', 'tzdata=2025a-0+deb12u1'];
const RUN = ['libc6=2.36-9+deb12u7', 'tzdata=2025a-0+deb12u1'];

/** What the mirror offers, per Debian architecture: libc6 has a security update on arm64 only. */
const MIRROR: Record<string, Record<string, string>> = {
  amd64: { apt: '2.6.1', libc6: '2.36-9+deb12u7', tzdata: '2025b-0+deb12u1' },
  arm64: { apt: '2.6.1', libc6: '2.36-9+deb12u10', tzdata: '2025b-0+deb12u1' },
};

/** apt-cache policy as a query container prints it, for the architecture the script was given. */
function aptPolicy(cmd: string[]): string {
  const [architecture, ...names] = cmd.slice(4);
  return names.map((name) => `${name}:\n  Installed: (none)\n  Candidate: ${MIRROR[architecture]?.[name] ?? '(none)'}\n  Version table:\n`).join('');
}

const debian = (architecture: string): FakeImage => ({ os: 'linux', architecture, env: [], labels: {}, files: {}, layers: 1, size: 1 });

describe('checkUpdates', () => {
  let root: string;
  let engine: FakeEngine;
  const write = (path: string, content: string) => writeFileIn(root, path, content);
  const options = (extra = {}) => ({
    project: 'acme',
    stack: 'stacks/acme',
    images: [
      { key: 'build', outputPath: 'dist/stacks/acme/build' },
      { key: 'run', outputPath: 'dist/stacks/acme/run' },
    ],
    outputPath: 'dist/stacks/acme/updates',
    ...extra,
  });
  /** The containers that asked the mirror: the image's architecture, and the architecture apt was set to. */
  const asked = () => engine.containers.map((c) => `${engine.image(c.image)!.architecture} as ${c.cmd[4]}`).sort();

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'nx-cnb-check-updates-'));
    write('stacks/acme/stack.toml', STACK_TOML);
    write('stacks/acme/build.Dockerfile', 'FROM x\n');
    write('stacks/acme/run.Dockerfile', 'FROM x\n');
    engine = new FakeEngine();
    engine.onRun = (_image, cmd) => ({ exitCode: 0, stdout: aptPolicy(cmd), stderr: '' });
    const built = (key: string, packages: string[]) =>
      imageReceiptOf({
        image: key,
        references: [`127.0.0.1:5000/acme/acme-${key}:latest`],
        platforms: ['linux/amd64', 'linux/arm64'].map((p) => platformImageOf(p, engine.add(debian(p.split('/')[1])), packages)),
      });
    writeImageReceipt(root, 'dist/stacks/acme/build', built('build', BUILD));
    writeImageReceipt(root, 'dist/stacks/acme/run', built('run', RUN));
    // The base image in the engine is the engine's own platform's, as BuildKit's FROM leaves it.
    engine.add(debian('amd64'), '127.0.0.1:5000/acme/debian:bookworm');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('asks about every image and platform on the engine own platform, with apt set to the architecture', async () => {
    const io = fakeIo(root, engine);
    const { report, lockChanged } = await checkUpdates(options(), io);
    // The build image natively for both architectures; the distroless run image through its base image. No emulation.
    expect(asked()).toEqual(['amd64 as amd64', 'amd64 as amd64', 'amd64 as arm64', 'amd64 as arm64']);
    const base = engine.resolve('127.0.0.1:5000/acme/debian:bookworm');
    expect(engine.containers.filter((c) => c.image === base).map((c) => c.cmd[4])).toEqual(['amd64', 'arm64']);
    expect(engine.containers.every((c) => c.user === '0:0' && c.cmd[0] === 'sh' && c.cmd[3] === 'nx-cnb-check-updates')).toBe(true);
    expect(report.map((r) => [r.image, r.platform, r.updates.map((u) => `${u.name} ${u.installed} -> ${u.candidate}`)])).toEqual([
      ['build', 'linux/amd64', ['tzdata 2025a-0+deb12u1 -> 2025b-0+deb12u1']],
      ['build', 'linux/arm64', ['libc6 2.36-9+deb12u7 -> 2.36-9+deb12u10', 'tzdata 2025a-0+deb12u1 -> 2025b-0+deb12u1']],
      ['run', 'linux/amd64', ['tzdata 2025a-0+deb12u1 -> 2025b-0+deb12u1']],
      ['run', 'linux/arm64', ['libc6 2.36-9+deb12u7 -> 2.36-9+deb12u10', 'tzdata 2025a-0+deb12u1 -> 2025b-0+deb12u1']],
    ]);
    expect(io.lines).toContain('run (linux/arm64): 2 of 2 packages have updates');
    expect(lockChanged).toBe(true);
    expect(io.lines).toContain('stacks/acme/packages.lock.json would change; run with --write to record it');
    expect(JSON.parse(readFileSync(join(root, 'dist/stacks/acme/updates/updates.json'), 'utf8')).images).toHaveLength(4);
  });

  it('records what the mirror offers per image and platform with --write, and then finds the lock current', async () => {
    await checkUpdates(options({ write: true }), fakeIo(root, engine));
    const lock = JSON.parse(readFileSync(join(root, 'stacks/acme/packages.lock.json'), 'utf8'));
    expect(lock.images.run).toEqual({
      'linux/amd64': { libc6: '2.36-9+deb12u7', tzdata: '2025b-0+deb12u1' },
      'linux/arm64': { libc6: '2.36-9+deb12u10', tzdata: '2025b-0+deb12u1' },
    });
    const again = fakeIo(root, engine);
    expect((await checkUpdates(options({ write: true }), again)).lockChanged).toBe(false);
    expect(again.lines).toContain('stacks/acme/packages.lock.json already holds these versions');
  });

  it('asks the platform own image under emulation when its build args differ from the native one', async () => {
    write('stacks/acme/stack.toml', STACK_TOML.replace('[run]', '[build.platforms."linux/arm64".args]\n  mirror = "ports"\n[run]'));
    await checkUpdates(options(), fakeIo(root, engine));
    expect(asked()).toEqual(['amd64 as amd64', 'amd64 as amd64', 'amd64 as arm64', 'arm64 as arm64']);
  });

  it('reads the lock where an image was not built here', async () => {
    rmSync(join(root, 'dist/stacks/acme/run'), { recursive: true });
    write(
      'stacks/acme/packages.lock.json',
      JSON.stringify({ lockVersion: 1, images: { run: { 'linux/amd64': { libc6: '2.36-9+deb12u7' }, 'linux/arm64': { libc6: '2.36-9+deb12u7' } } } }),
    );
    const { report } = await checkUpdates(options(), fakeIo(root, engine));
    expect(report.filter((r) => r.image === 'run').map((r) => [r.platform, r.updates.length])).toEqual([
      ['linux/amd64', 0],
      ['linux/arm64', 1],
    ]);
  });

  it('says which image it cannot ask about, and why', async () => {
    engine.remove(engine.resolve('127.0.0.1:5000/acme/debian:bookworm')!);
    rmSync(join(root, 'dist/stacks/acme/build'), { recursive: true });
    write(
      'stacks/acme/packages.lock.json',
      JSON.stringify({ lockVersion: 1, images: { build: { 'linux/amd64': { apt: '2.6.1' }, 'linux/arm64': { apt: '2.6.1' } } } }),
    );
    await expect(checkUpdates(options(), fakeIo(root, engine))).rejects.toThrow(
      "build (linux/amd64): no image with apt to ask the mirror from: the image itself (not built here), its base_image build arg (none, not set) and the stack's build image (not built here)",
    );
  });

  it('fails with what the query container said', async () => {
    engine.onRun = () => ({ exitCode: 100, stdout: '', stderr: 'E: Failed to fetch http://deb.debian.org/debian/dists/bookworm/InRelease\n' });
    await expect(checkUpdates(options(), fakeIo(root, engine))).rejects.toThrow(
      /the query container of .* exited with 100: E: Failed to fetch http:\/\/deb\.debian\.org\/debian\/dists\/bookworm\/InRelease/,
    );
  });
});
