import Docker from 'dockerode';
import { createReadStream, createWriteStream, promises as fs } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { normalizeImageRef, splitTag } from '../reference/image-reference';
import { redact, type RegistryAuth } from './credentials';
import {
  type Builder,
  BuildFailedError,
  type BuildRequest,
  type Engine,
  engineAddress,
  EngineUnreachableError,
  type ImageFile,
  type InspectedImage,
  LoadFailedError,
  type Log,
  type PlatformSupport,
  PullFailedError,
  PushFailedError,
  type RunResult,
} from './engine';
import { platformSuffix } from '../oci/platform';
import { BuildkitProgress, decodeTrace } from './buildkit-progress';
import { memoryTar, toBuffer } from './context';
import { loadArchive, probeExecutable } from './platform-probe';
import { readImagePaths } from './image-files';

/**
 * Connects to the engine the user's environment names: DOCKER_HOST (unix, tcp, ssh)
 * with DOCKER_TLS_VERIFY and DOCKER_CERT_PATH, as the docker CLI reads them.
 * Fails fast with a clear message when nothing answers.
 */
export async function connectEngine(env: NodeJS.ProcessEnv = process.env): Promise<DockerEngine> {
  const docker = new Docker();
  try {
    await withTimeout(docker.ping(), 10_000, 'no answer within 10 s');
  } catch (e) {
    throw new EngineUnreachableError(engineAddress(env), (e as Error).message);
  }
  return new DockerEngine(docker, env);
}

/** The Docker Engine API through dockerode. */
export class DockerEngine implements Engine {
  private builderChoice: Promise<Builder> | undefined;
  private readonly probes = new Map<string, Promise<PlatformSupport | undefined>>();

  constructor(
    readonly docker: Docker,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  async platform(): Promise<string> {
    const version = await this.docker.version();
    return `${version.Os}/${version.Arch}`;
  }

  /** BuildKit where the engine has it (Linux, API 1.39+), else the classic builder; NX_CNB_BUILDER overrides. */
  builder(): Promise<Builder> {
    return (this.builderChoice ??= chooseBuilder(this.docker, this.env));
  }

  runs(platform: string): Promise<PlatformSupport | undefined> {
    let probe = this.probes.get(platform);
    if (!probe) this.probes.set(platform, (probe = this.probe(platform)));
    return probe;
  }

  /** Runs a program built for the platform in a container of a one-file image made for it. */
  private async probe(platform: string): Promise<PlatformSupport | undefined> {
    if (platform === (await this.platform())) return { runs: true };
    const executable = probeExecutable(platform);
    if (!executable) return undefined;
    const reference = `nx-cnb-probe:${platformSuffix(platform)}`;
    if (!(await this.inspect(reference))) {
      const layer = await toBuffer(memoryTar([{ name: 'probe', content: executable, mode: 0o755 }]));
      await this.loadStream(memoryTar(loadArchive(reference, platform, layer, { Entrypoint: ['/probe'] })), reference);
    }
    const container = await this.docker.createContainer({ Image: reference, platform, HostConfig: { NetworkMode: 'none' } } as Docker.ContainerCreateOptions);
    try {
      await container.start();
      const { StatusCode } = (await container.wait()) as { StatusCode: number };
      if (StatusCode === 0) return { runs: true };
      // runc says why it could not start the program ("exec format error") in the container's output.
      const output = ((await container.logs({ stdout: true, stderr: true })) as Buffer)
        .toString('utf8')
        .replace(/[^\x20-\x7e]+/g, ' ')
        .trim();
      return { runs: false, reason: output || `a ${platform} program exited with status ${StatusCode}` };
    } catch (e) {
      return { runs: false, reason: engineMessage(e) };
    } finally {
      await container.remove({ force: true }).catch(() => undefined);
    }
  }

  async build(subject: string, request: BuildRequest, log: Log): Promise<string> {
    const builder = await this.builder();
    let stream: NodeJS.ReadableStream;
    try {
      stream = await this.startBuild(request, builder);
    } catch (e) {
      const reason = engineMessage(e);
      if (builder !== 'buildkit' || !REFUSES_BUILDKIT.test(reason)) throw new BuildFailedError(subject, reason);
      // An engine that says no to BuildKit before building anything gets the same request, classic.
      log(`the engine refused BuildKit (${reason}); building with the classic builder`);
      this.builderChoice = Promise.resolve('classic');
      return this.build(subject, request, log);
    }
    const imageId = await followBuild(this.docker, stream, subject, log);
    // The classic builder of older engines takes one tag per build; the rest are added here.
    if (builder === 'classic') for (const reference of request.tags?.slice(1) ?? []) await this.tag(imageId, reference);
    return imageId;
  }

  private startBuild(request: BuildRequest, builder: Builder): Promise<NodeJS.ReadableStream> {
    const network = this.env.NX_CNB_DOCKER_BUILD_NETWORK;
    const options = {
      dockerfile: request.dockerfile,
      target: request.target ?? '',
      buildargs: request.buildArgs ?? {},
      labels: request.labels ?? {},
      ...(request.platform ? { platform: request.platform } : {}),
      ...(request.tags?.length ? { t: builder === 'buildkit' ? request.tags : request.tags[0] } : {}),
      // An engine without a usable bridge network (a dockerd started with --bridge=none) builds on the host network.
      ...(network ? { networkmode: network } : {}),
      // BuildKit without a session (dockerode opens one for version "2"): the context is in the request body.
      ...(builder === 'buildkit' ? { version: '2' } : { rm: true, forcerm: true }),
    };
    return new Promise((resolve, reject) =>
      this.docker.modem.dial(
        {
          path: '/build?',
          method: 'POST',
          file: request.context(),
          options,
          isStream: true,
          statusCodes: { 200: true, 400: 'bad parameter', 500: 'server error' },
        },
        (err, stream) => (err ? reject(err) : resolve(stream as NodeJS.ReadableStream)),
      ),
    );
  }

  async inspect(reference: string): Promise<InspectedImage | undefined> {
    try {
      return (await this.docker.getImage(reference).inspect()) as InspectedImage;
    } catch (e) {
      if ((e as { statusCode?: number }).statusCode === 404) return undefined;
      throw e;
    }
  }

  readFiles(image: string, paths: string[], keep?: (path: string) => boolean): Promise<Map<string, ImageFile[]>> {
    return readImagePaths(this.docker, image, paths, keep);
  }

  async tag(image: string, reference: string): Promise<void> {
    const [repo, tag] = splitTag(reference);
    await this.docker.getImage(image).tag({ repo, tag });
  }

  async untag(reference: string): Promise<void> {
    await this.docker
      .getImage(reference)
      .remove()
      .catch((e: { statusCode?: number }) => {
        if (e.statusCode !== 404) throw e;
      });
  }

  async save(references: string[], file: string): Promise<void> {
    const partial = `${file}.partial-${process.pid}`;
    try {
      const stream = await new Promise<NodeJS.ReadableStream>((resolve, reject) =>
        this.docker.modem.dial(
          { path: '/images/get?', method: 'GET', options: { names: references }, isStream: true, statusCodes: { 200: true, 500: 'server error' } },
          (err, result) => (err ? reject(err) : resolve(result as NodeJS.ReadableStream)),
        ),
      );
      await pipeline(stream, createWriteStream(partial));
      await fs.rename(partial, file);
    } finally {
      await fs.rm(partial, { force: true });
    }
  }

  load(file: string): Promise<void> {
    return this.loadStream(createReadStream(file), file);
  }

  private async loadStream(archive: NodeJS.ReadableStream, what: string): Promise<void> {
    const stream = await this.docker.loadImage(archive, { quiet: true });
    await new Promise<void>((resolve, reject) =>
      this.docker.modem.followProgress(stream, (err: Error | null, events: { error?: string }[]) => {
        const failed = events?.find((e) => e.error);
        if (err || failed) reject(new LoadFailedError(what, err?.message ?? failed?.error ?? 'unknown error'));
        else resolve();
      }),
    );
  }

  async push(reference: string, auth: RegistryAuth | undefined, log: Log): Promise<string> {
    const [repo, tag] = splitTag(reference);
    const fail = (reason: string) => new PushFailedError(reference, redact(reason, auth));
    let stream: NodeJS.ReadableStream;
    try {
      stream = (await this.docker.getImage(repo).push({ tag, ...(auth ? { authconfig: auth } : {}) })) as NodeJS.ReadableStream;
    } catch (e) {
      throw fail((e as Error).message);
    }
    let digest: string | undefined;
    let failure: string | undefined;
    await new Promise<void>((resolve, reject) =>
      this.docker.modem.followProgress(
        stream,
        (err) => (err ? reject(fail(err.message)) : resolve()),
        (event: { status?: string; id?: string; error?: string; errorDetail?: { message?: string }; aux?: { Digest?: string } }) => {
          if (event.aux?.Digest) digest = event.aux.Digest;
          if (event.error) failure = event.errorDetail?.message ?? event.error;
          // Per-layer "Pushing" progress is noise in a task log; layer outcomes and the digest are not.
          if (event.status && !['Pushing', 'Preparing', 'Waiting'].includes(event.status)) {
            log(redact(`${event.id ? `${event.id}: ` : ''}${event.status}`, auth));
          }
        },
      ),
    );
    if (failure) throw fail(failure);
    if (!digest) throw fail('the registry reported no digest');
    return digest;
  }

  async pull(reference: string, auth: RegistryAuth | undefined, log: Log, platform?: string): Promise<void> {
    // Without a tag the API would pull every tag of the repository.
    const wanted = normalizeImageRef(reference);
    const fail = (reason: string) => new PullFailedError(wanted, redact(reason, auth));
    let stream: NodeJS.ReadableStream;
    try {
      stream = (await this.docker.pull(wanted, { ...(auth ? { authconfig: auth } : {}), ...(platform ? { platform } : {}) })) as NodeJS.ReadableStream;
    } catch (e) {
      throw fail(engineMessage(e));
    }
    let failure: string | undefined;
    await new Promise<void>((resolve, reject) =>
      this.docker.modem.followProgress(
        stream,
        (err) => (err ? reject(fail(err.message)) : resolve()),
        (event: { status?: string; id?: string; error?: string; errorDetail?: { message?: string } }) => {
          if (event.error) failure = event.errorDetail?.message ?? event.error;
          // Per-layer download progress is noise in a task log.
          if (event.status && !['Downloading', 'Extracting', 'Waiting', 'Verifying Checksum', 'Pulling fs layer'].includes(event.status)) {
            log(redact(`${event.id ? `${event.id}: ` : ''}${event.status}`, auth));
          }
        },
      ),
    );
    if (failure) throw fail(failure);
  }

  async run(image: string, cmd: string[], options: { user?: string } = {}): Promise<RunResult> {
    const network = this.env.NX_CNB_DOCKER_BUILD_NETWORK;
    const container = await this.docker.createContainer({
      Image: image,
      Cmd: cmd,
      Entrypoint: [] as unknown as string,
      ...(options.user ? { User: options.user } : {}),
      HostConfig: network ? { NetworkMode: network } : {},
    });
    try {
      await container.start();
      const { StatusCode } = (await container.wait()) as { StatusCode: number };
      const logs = (await container.logs({ stdout: true, stderr: true, follow: false })) as unknown as Buffer;
      return { exitCode: StatusCode, ...demuxLogs(logs) };
    } finally {
      await container.remove({ force: true }).catch(() => undefined);
    }
  }
}

/** Splits the multiplexed log stream of a container without a TTY into stdout and stderr. */
export function demuxLogs(buffer: Buffer): { stdout: string; stderr: string } {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  for (let at = 0; at + 8 <= buffer.length;) {
    const size = buffer.readUInt32BE(at + 4);
    (buffer[at] === 2 ? err : out).push(buffer.subarray(at + 8, at + 8 + size));
    at += 8 + size;
  }
  return { stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
}

// What engines without BuildKit answer to version=2 before building anything.
const REFUSES_BUILDKIT = /buildkit is only supported with experimental mode|invalid version|not supported by buildkit|buildkit not supported/i;

async function chooseBuilder(docker: Docker, env: NodeJS.ProcessEnv): Promise<Builder> {
  if (env.NX_CNB_BUILDER === 'buildkit' || env.NX_CNB_BUILDER === 'classic') return env.NX_CNB_BUILDER;
  const version = await docker.version();
  const podman = (version.Components ?? []).some((c) => /podman/i.test(c.Name));
  return version.Os === 'linux' && !podman && apiAtLeast(version.ApiVersion, 1, 39) ? 'buildkit' : 'classic';
}

function apiAtLeast(version: string, major: number, minor: number): boolean {
  const [a, b] = version.split('.').map(Number);
  return a > major || (a === major && b >= minor);
}

/**
 * Follows a build stream of either builder and returns the image ID: the
 * classic builder's text output goes to `log` line by line, BuildKit's
 * trace is decoded into numbered step lines.
 */
async function followBuild(docker: Docker, stream: NodeJS.ReadableStream, subject: string, log: Log): Promise<string> {
  const buildkit = new BuildkitProgress(log);
  let imageId: string | undefined;
  let failure: string | undefined;
  let partial = '';
  await new Promise<void>((resolve, reject) => {
    docker.modem.followProgress(
      stream,
      (err) => (err ? reject(new BuildFailedError(subject, err.message)) : resolve()),
      (event: { id?: string; stream?: string; status?: string; error?: string; errorDetail?: { message?: string }; aux?: string | { ID?: string } }) => {
        if (event.id === 'moby.buildkit.trace' && typeof event.aux === 'string') return buildkit.handle(decodeTrace(event.aux));
        if (typeof event.aux === 'object' && event.aux.ID) imageId = event.aux.ID;
        if (event.error) failure = event.errorDetail?.message ?? event.error;
        const text = event.stream ?? (event.status ? `${event.status}\n` : '');
        const lines = (partial + text).split('\n');
        partial = lines.pop() ?? '';
        lines.filter((l) => l.trim() !== '').forEach(log);
      },
    );
  });
  if (partial.trim()) log(partial);
  if (failure) throw new BuildFailedError(subject, failure);
  if (!imageId) throw new BuildFailedError(subject, 'the engine reported no image ID');
  return imageId;
}

/** What the engine said, without dockerode's "(HTTP code 400) bad parameter - " in front. */
function engineMessage(e: unknown): string {
  return (e as Error).message.replace(/^\(HTTP code \d+\) [a-z ]+ - /, '').trim();
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
