import Docker from 'dockerode';

/** Where the engine is, in the words a user would use to fix it. */
export function engineAddress(env: NodeJS.ProcessEnv = process.env): string {
  return env.DOCKER_HOST ? `DOCKER_HOST=${env.DOCKER_HOST}` : 'unix:///var/run/docker.sock (DOCKER_HOST is not set)';
}

export class EngineUnreachableError extends Error {
  constructor(address: string, reason: string) {
    super(
      `No Docker engine answers at ${address}: ${reason}.\n` +
        `Start one (in this repository: bash tools/engine.sh) or point DOCKER_HOST at a running engine.`,
    );
    this.name = 'EngineUnreachableError';
  }
}

/**
 * Connects to the engine the user's environment names: DOCKER_HOST (unix, tcp, ssh)
 * with DOCKER_TLS_VERIFY and DOCKER_CERT_PATH, as the docker CLI reads them.
 * Fails fast with a clear message when nothing answers.
 */
export async function connectEngine(env: NodeJS.ProcessEnv = process.env): Promise<Docker> {
  const docker = new Docker();
  try {
    await withTimeout(docker.ping(), 10_000, 'no answer within 10 s');
  } catch (e) {
    throw new EngineUnreachableError(engineAddress(env), (e as Error).message);
  }
  return docker;
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** The engine's own platform, e.g. "linux/amd64", to pick what to build by default. */
export async function enginePlatform(docker: Docker): Promise<string> {
  const version = await docker.version();
  return `${version.Os}/${version.Arch}`;
}
