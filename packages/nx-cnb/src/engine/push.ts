import type Docker from 'dockerode';
import { splitTag } from './build';
import { redact, RegistryAuth } from './credentials';

/**
 * Pushes one reference and returns the digest the registry gave it. Progress
 * goes to `log`; any credential is removed from what is shown or thrown.
 */
export async function pushImage(docker: Docker, reference: string, auth: RegistryAuth | undefined, log: (line: string) => void): Promise<string> {
  const [repo, tag] = splitTag(reference);
  const fail = (reason: string) => new Error(`pushing ${reference} failed: ${redact(reason, auth)}`);
  let stream: NodeJS.ReadableStream;
  try {
    stream = (await docker.getImage(repo).push({ tag, ...(auth ? { authconfig: auth } : {}) })) as NodeJS.ReadableStream;
  } catch (e) {
    throw fail((e as Error).message);
  }
  let digest: string | undefined;
  let failure: string | undefined;
  await new Promise<void>((resolve, reject) =>
    docker.modem.followProgress(
      stream,
      (err) => (err ? reject(fail(err.message)) : resolve()),
      (event: { status?: string; id?: string; error?: string; errorDetail?: { message?: string }; aux?: { Digest?: string } }) => {
        if (event.aux?.Digest) digest = event.aux.Digest;
        if (event.error) failure = event.errorDetail?.message ?? event.error;
        // Per-layer "Pushing" progress is noise in a task log; layer outcomes and the digest are not.
        if (event.status && event.status !== 'Pushing' && event.status !== 'Preparing' && event.status !== 'Waiting') {
          log(redact(`${event.id ? `${event.id}: ` : ''}${event.status}`, auth));
        }
      },
    ),
  );
  if (failure) throw fail(failure);
  if (!digest) throw fail('the registry reported no digest');
  return digest;
}
