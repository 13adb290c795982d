/**
 * An in-memory Engine for unit tests of executors: images are plain objects,
 * builds call a handler the test gives, saves and loads go through real
 * files. It checks what the executors ask of an engine without one.
 */
import { promises as fs } from 'node:fs';
import { Readable } from 'node:stream';
import { extract } from 'tar-stream';
import type { RegistryAuth } from '../engine/credentials';
import {
  type Builder,
  BuildFailedError,
  type BuildRequest,
  type Engine,
  type ImageFile,
  type InspectedImage,
  type Log,
  type PlatformSupport,
  PullFailedError,
  type RunResult,
} from '../engine/engine';
import { normalizeImageRef } from '../reference/image-reference';
import { FakeRegistry } from './fake-registry';

export interface FakeImage {
  os: string;
  architecture: string;
  user?: string;
  env: string[];
  labels: Record<string, string>;
  /** Files by absolute path. */
  files: Record<string, string>;
  layers: number;
  size: number;
}

/** A build as the fake saw it: the request and the files of its context. */
export interface SeenBuild {
  request: Omit<BuildRequest, 'context'>;
  context: Record<string, Buffer>;
}

export type BuildHandler = (build: SeenBuild, engine: FakeEngine) => FakeImage | Promise<FakeImage>;

export class FakeEngine implements Engine {
  readonly images = new Map<string, FakeImage>();
  /** Reference (normalised) -> image ID. */
  readonly tags = new Map<string, string>();
  readonly builds: SeenBuild[] = [];
  readonly pushes: { reference: string; imageId: string; auth?: RegistryAuth }[] = [];
  /** Images a pull can fetch, by normalised reference, as a registry would serve them. */
  readonly pullable = new Map<string, FakeImage>();
  readonly pulls: string[] = [];
  /** The containers `run` started: image, command, user. */
  readonly containers: { image: string; cmd: string[]; user?: string }[] = [];
  /** Answers `run`; the default fails, so a test that runs nothing need not say so. */
  onRun: (image: FakeImage, cmd: string[]) => RunResult = () => {
    throw new Error('this test expects no container run');
  };
  private counter = 0;
  /** Where pushes go, and what pulls read. */
  readonly registry = new FakeRegistry();
  /** The images pushes left in the registry, by ID: what a pull brings back, even after the engine forgot them. */
  private readonly pushedImages = new Map<string, FakeImage>();

  constructor(
    private readonly onBuild: BuildHandler = () => {
      throw new Error('this test expects no build');
    },
    readonly enginePlatform = 'linux/amd64',
  ) {}

  /** Adds an image and returns its ID. */
  add(image: FakeImage, ...references: string[]): string {
    const id = `sha256:${(++this.counter).toString(16).padStart(64, '0')}`;
    this.images.set(id, image);
    for (const reference of references) this.tags.set(normalizeImageRef(reference), id);
    return id;
  }

  image(reference: string): FakeImage | undefined {
    return this.images.get(this.resolve(reference) ?? '');
  }

  resolve(reference: string): string | undefined {
    return this.images.has(reference) ? reference : this.tags.get(normalizeImageRef(reference));
  }

  async platform(): Promise<string> {
    return this.enginePlatform;
  }

  async builder(): Promise<Builder> {
    return 'buildkit';
  }

  /** Platforms the fake runs besides its own; a test narrows it to play an engine without QEMU. */
  runnable = new Set(['linux/amd64', 'linux/arm64']);

  async runs(platform: string): Promise<PlatformSupport | undefined> {
    return this.runnable.has(platform) || platform === this.enginePlatform ? { runs: true } : { runs: false, reason: 'exec format error' };
  }

  async build(subject: string, request: BuildRequest, log: Log): Promise<string> {
    const { context, ...rest } = request;
    const seen = { request: rest, context: await untar(context()) };
    this.builds.push(seen);
    let image: FakeImage;
    try {
      image = await this.onBuild(seen, this);
    } catch (e) {
      throw new BuildFailedError(subject, (e as Error).message);
    }
    log(`fake build of ${subject}`);
    return this.add(image, ...(request.tags ?? []));
  }

  async inspect(reference: string): Promise<InspectedImage | undefined> {
    const id = this.resolve(reference);
    const image = id && this.images.get(id);
    if (!id || !image) return undefined;
    return {
      Id: id,
      Os: image.os,
      Architecture: image.architecture,
      Size: image.size,
      Config: { User: image.user, Env: image.env, Labels: image.labels },
      RootFS: { Layers: Array.from({ length: image.layers }, (_, i) => `sha256:layer${i}`) },
    };
  }

  async readFiles(image: string, paths: string[], keep: (path: string) => boolean = () => true): Promise<Map<string, ImageFile[]>> {
    const found = this.image(image);
    if (!found) throw Object.assign(new Error(`No such image: ${image}`), { statusCode: 404 });
    return new Map(
      paths.map((path) => [
        path,
        Object.entries(found.files)
          .filter(([file]) => file === path || (file.startsWith(`${path}/`) && keep(file)))
          .map(([file, content]) => ({ path: file, content })),
      ]),
    );
  }

  async tag(image: string, reference: string): Promise<void> {
    const id = this.resolve(image);
    if (!id) throw Object.assign(new Error(`No such image: ${image}`), { statusCode: 404 });
    this.tags.set(normalizeImageRef(reference), id);
  }

  async untag(reference: string): Promise<void> {
    this.tags.delete(normalizeImageRef(reference));
  }

  /** Forgets an image and its tags, as `docker rmi -f` would. */
  remove(id: string): void {
    this.images.delete(id);
    for (const [reference, tagged] of this.tags) if (tagged === id) this.tags.delete(reference);
  }

  async save(references: string[], file: string): Promise<void> {
    const saved = references.map((reference) => {
      const id = this.resolve(reference);
      if (!id) throw Object.assign(new Error(`No such image: ${reference}`), { statusCode: 404 });
      return { reference, id, image: this.images.get(id) };
    });
    await fs.writeFile(file, JSON.stringify(saved));
  }

  /** As docker load does: the images come back with the tags they were saved under. */
  async load(file: string): Promise<void> {
    for (const { reference, id, image } of JSON.parse(await fs.readFile(file, 'utf8')) as { reference: string; id: string; image: FakeImage }[]) {
      this.images.set(id, image);
      this.tags.set(normalizeImageRef(reference), id);
    }
  }

  async push(reference: string, auth: RegistryAuth | undefined, log: Log): Promise<string> {
    const imageId = this.resolve(reference);
    if (!imageId) throw new Error(`An image does not exist locally with the tag: ${reference}`);
    this.pushes.push({ reference, imageId, auth });
    this.pushedImages.set(imageId, this.images.get(imageId)!);
    log(`${reference}: Pushed`);
    return this.registry.pushed(reference, imageId);
  }

  /**
   * As docker pull does: the reference (a tag, or a digest, which only names
   * the image) becomes the pulled image's. A pull finds an image a test put up
   * by reference (pullable), else what a push left in the registry (for an
   * index, the platform's entry).
   */
  async pull(reference: string, _auth: RegistryAuth | undefined, log: Log, platform = this.enginePlatform): Promise<void> {
    this.pulls.push(reference);
    const wanted = normalizeImageRef(reference);
    const served = this.pullable.get(wanted);
    // An image pulled from the cache registry by digest comes back as the image it was: its ID is the digest of its config.
    const cachedId = this.cachedIds.get(wanted);
    if (served && cachedId) this.images.set(cachedId, served);
    else if (served) this.add(served, reference);
    else {
      const id = await this.registry.imageIdOf(reference, platform);
      const image = id && this.pushedImages.get(id);
      if (!id || !image) throw new PullFailedError(wanted, `manifest for ${wanted} not found`);
      this.images.set(id, image);
      this.tags.set(wanted, id);
    }
    log(`${reference}: Pulled`);
  }

  async run(image: string, cmd: string[], options: { user?: string } = {}): Promise<RunResult> {
    const found = this.image(image);
    if (!found) throw Object.assign(new Error(`No such image: ${image}`), { statusCode: 404 });
    this.containers.push({ image, cmd, user: options.user });
    return this.onRun(found, cmd);
  }

  /** The registry side of the cache: an image pushed by digest, which a pull by that reference restores with its ID. */
  cache(reference: string, imageId: string): void {
    this.pullable.set(normalizeImageRef(reference), this.images.get(imageId)!);
    this.cachedIds.set(normalizeImageRef(reference), imageId);
  }

  private readonly cachedIds = new Map<string, string>();
}

async function untar(stream: Readable): Promise<Record<string, Buffer>> {
  const files: Record<string, Buffer> = {};
  const tar = extract();
  tar.on('entry', (header, entry, next) => {
    const chunks: Buffer[] = [];
    entry.on('data', (c: Buffer) => chunks.push(c));
    entry.on('end', () => {
      if (header.type === 'file') files[header.name] = Buffer.concat(chunks);
      next();
    });
  });
  await new Promise<void>((resolve, reject) => {
    tar.on('finish', resolve);
    tar.on('error', reject);
    stream.on('error', reject);
    stream.pipe(tar);
  });
  return files;
}

/**
 * What the engine makes of nx-cnb's decorating Dockerfile (FROM, ADD of the
 * user layer, ENV, LABEL, USER): just enough of Dockerfile parsing to check
 * that what nx-cnb writes means what it intends.
 */
export async function applyDecoration(engine: FakeEngine, build: SeenBuild): Promise<FakeImage> {
  const dockerfile = build.context[build.request.dockerfile].toString('utf8');
  const from = /^FROM (\S+)$/m.exec(dockerfile)?.[1];
  const base = from && engine.image(from);
  if (!base) throw new Error(`the decorating Dockerfile starts from ${from}, which the engine lacks`);
  const image: FakeImage = {
    ...base,
    env: [...base.env],
    labels: { ...base.labels, ...(build.request.labels ?? {}) },
    files: { ...base.files },
    layers: base.layers + 1,
  };
  for (const line of dockerfile.split('\n')) {
    const [instruction, rest] = [line.slice(0, line.indexOf(' ')), line.slice(line.indexOf(' ') + 1)];
    if (instruction === 'ADD') {
      const layer = await untar(Readable.from(build.context[rest.split(' ')[0]]));
      for (const [path, content] of Object.entries(layer)) image.files[`/${path}`] = content.toString('utf8');
    }
    if (instruction === 'ENV') for (const [k, v] of pairs(rest)) image.env = [...image.env.filter((e) => !e.startsWith(`${k}=`)), `${k}=${v}`];
    if (instruction === 'LABEL') for (const [k, v] of pairs(rest)) image.labels[k] = v;
    if (instruction === 'USER') image.user = rest;
  }
  return image;
}

/** KEY="value" pairs with Dockerfile escapes (\\, \", \$). */
function pairs(text: string): [string, string][] {
  return [...text.matchAll(/([^\s=]+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2].replace(/\\(.)/g, '$1')]);
}
