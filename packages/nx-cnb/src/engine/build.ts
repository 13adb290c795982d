import type Docker from 'dockerode';

export interface BuildRequest {
  /** The build context as a tar stream. */
  context: NodeJS.ReadableStream;
  /** Dockerfile path inside the context. */
  dockerfile: string;
  target?: string;
  buildArgs?: Record<string, string>;
  labels?: Record<string, string>;
  platform?: string;
  tags?: string[];
}

export class BuildFailedError extends Error {
  constructor(what: string, reason: string) {
    super(`Building ${what} failed: ${reason}`);
    this.name = 'BuildFailedError';
  }
}

/**
 * Builds an image through the Engine API and returns its ID. Build output is
 * handed line by line to `log`, so the user sees progress as it happens.
 */
export async function buildImage(docker: Docker, what: string, request: BuildRequest, log: (line: string) => void): Promise<string> {
  let stream: NodeJS.ReadableStream;
  try {
    stream = await docker.buildImage(request.context, {
      dockerfile: request.dockerfile,
      target: request.target ?? '',
      buildargs: request.buildArgs ?? {},
      labels: request.labels ?? {},
      platform: request.platform,
      t: request.tags?.[0],
      rm: true,
      forcerm: true,
      // An engine without a usable bridge network (tools/engine.sh records it) builds on the host network.
      ...(process.env.NX_CNB_DOCKER_BUILD_NETWORK ? { networkmode: process.env.NX_CNB_DOCKER_BUILD_NETWORK } : {}),
    });
  } catch (e) {
    throw new BuildFailedError(what, (e as Error).message);
  }

  let imageId: string | undefined;
  let failure: string | undefined;
  let partial = '';
  await new Promise<void>((resolve, reject) => {
    docker.modem.followProgress(
      stream,
      (err) => (err ? reject(new BuildFailedError(what, err.message)) : resolve()),
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
  if (failure) throw new BuildFailedError(what, failure);
  if (!imageId) throw new BuildFailedError(what, 'the engine reported no image ID');
  // The build API takes one tag; the rest are added here.
  for (const tag of request.tags?.slice(1) ?? []) {
    const [repo, version] = splitTag(tag);
    await docker.getImage(imageId).tag({ repo, tag: version });
  }
  return imageId;
}

/** "host:5000/a/b:v1" -> ["host:5000/a/b", "v1"]; a registry port is not a tag. */
export function splitTag(ref: string): [string, string] {
  const colon = ref.lastIndexOf(':');
  if (colon > ref.lastIndexOf('/')) return [ref.slice(0, colon), ref.slice(colon + 1)];
  return [ref, 'latest'];
}
