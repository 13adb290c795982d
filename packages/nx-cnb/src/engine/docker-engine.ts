import Docker from 'dockerode';
import { createReadStream, createWriteStream, promises as fs } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { splitTag } from '../reference/image-reference';
import { redact, type RegistryAuth } from './credentials';
import {
  BuildFailedError,
  type BuildRequest,
  type Engine,
  engineAddress,
  EngineUnreachableError,
  type ImageFile,
  type InspectedImage,
  LoadFailedError,
  type Log,
  PullFailedError,
  PushFailedError,
  type RunResult,
} from './engine';
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
  constructor(
    readonly docker: Docker,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  async platform(): Promise<string> {
    const version = await this.docker.version();
    return `${version.Os}/${version.Arch}`;
  }

  async build(subject: string, request: BuildRequest, log: Log): Promise<string> {
    const network = this.env.NX_CNB_DOCKER_BUILD_NETWORK;
    let stream: NodeJS.ReadableStream;
    try {
      stream = await this.docker.buildImage(request.context, {
        dockerfile: request.dockerfile,
        target: request.target ?? '',
        buildargs: request.buildArgs ?? {},
        labels: request.labels ?? {},
        platform: request.platform,
        t: request.tags?.[0],
        rm: true,
        forcerm: true,
        // An engine without a usable bridge network (tools/engine.sh records it) builds on the host network.
        ...(network ? { networkmode: network } : {}),
      });
    } catch (e) {
      throw new BuildFailedError(subject, (e as Error).message);
    }
    const imageId = await followBuild(this.docker, stream, subject, log);
    // The build API takes one tag; the rest are added here.
    for (const reference of request.tags?.slice(1) ?? []) await this.tag(imageId, reference);
    return imageId;
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

  async save(reference: string, file: string): Promise<void> {
    const partial = `${file}.partial-${process.pid}`;
    try {
      const stream = (await this.docker.getImage(reference).get()) as NodeJS.ReadableStream;
      await pipeline(stream, createWriteStream(partial));
      await fs.rename(partial, file);
    } finally {
      await fs.rm(partial, { force: true });
    }
  }

  async load(file: string): Promise<void> {
    const stream = await this.docker.loadImage(createReadStream(file), { quiet: true });
    await new Promise<void>((resolve, reject) =>
      this.docker.modem.followProgress(stream, (err: Error | null, events: { error?: string }[]) => {
        const failed = events?.find((e) => e.error);
        if (err || failed) reject(new LoadFailedError(file, err?.message ?? failed?.error ?? 'unknown error'));
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

  async pull(reference: string, auth: RegistryAuth | undefined): Promise<void> {
    const fail = (reason: string) => new PullFailedError(reference, redact(reason, auth));
    let stream: NodeJS.ReadableStream;
    try {
      stream = (await this.docker.pull(reference, auth ? { authconfig: auth } : {})) as NodeJS.ReadableStream;
    } catch (e) {
      throw fail((e as Error).message);
    }
    await new Promise<void>((resolve, reject) =>
      this.docker.modem.followProgress(stream, (err: Error | null, events: { error?: string }[]) => {
        const failed = events?.find((e) => e.error);
        if (err || failed) reject(fail(err?.message ?? failed?.error ?? 'unknown error'));
        else resolve();
      }),
    );
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

/** Follows a classic-builder build stream, handing each output line to `log`, and returns the image ID. */
async function followBuild(docker: Docker, stream: NodeJS.ReadableStream, subject: string, log: Log): Promise<string> {
  let imageId: string | undefined;
  let failure: string | undefined;
  let partial = '';
  await new Promise<void>((resolve, reject) => {
    docker.modem.followProgress(
      stream,
      (err) => (err ? reject(new BuildFailedError(subject, err.message)) : resolve()),
      (event: { stream?: string; status?: string; error?: string; errorDetail?: { message?: string }; aux?: { ID?: string } }) => {
        if (event.aux?.ID) imageId = event.aux.ID;
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

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
