import type { Readable } from 'node:stream';
import { ExpectedError } from '../errors';
import type { RegistryAuth } from './credentials';

/** The engine's builders: BuildKit, and the classic builder of engines without it. */
export type Builder = 'buildkit' | 'classic';

export interface PlatformSupport {
  runs: boolean;
  /** Why not, in the engine's words. */
  reason?: string;
}

/** One line of progress for the user. */
export type Log = (line: string) => void;

export interface BuildRequest {
  /** Makes the build context as a tar stream; called again if the build is sent again (to the classic builder). */
  context: () => Readable;
  /** Dockerfile path inside the context. */
  dockerfile: string;
  target?: string;
  buildArgs?: Record<string, string>;
  labels?: Record<string, string>;
  platform?: string;
  /** References to tag the result with. */
  tags?: string[];
}

/** The part of `docker image inspect` nx-cnb reads. */
export interface InspectedImage {
  Id: string;
  Os?: string;
  Architecture?: string;
  Variant?: string;
  Size: number;
  RepoDigests?: string[];
  Config?: { User?: string; Env?: string[] | null; Labels?: Record<string, string> | null };
  RootFS?: { Layers?: string[] };
}

export interface ImageFile {
  path: string;
  content: string;
}

/**
 * What nx-cnb asks of a container engine. Executors receive one, so their
 * logic is tested against a fake and the engine API stays in one adapter
 * (docker-engine.ts).
 */
export interface Engine {
  /** The engine's own platform, e.g. "linux/amd64". */
  platform(): Promise<string>;
  /** The builder build() uses; it may turn to the classic builder when the engine refuses BuildKit. */
  builder(): Promise<Builder>;
  /**
   * Whether the engine runs containers of a platform: its own always; another
   * one only with an emulator (QEMU registered with binfmt_misc). Undefined
   * when nx-cnb has no way to tell for that platform.
   */
  runs(platform: string): Promise<PlatformSupport | undefined>;
  /** Builds a Dockerfile and returns the image ID; `subject` names the image in errors. */
  build(subject: string, request: BuildRequest, log: Log): Promise<string>;
  /** The image's inspect data, or undefined when the engine lacks it. */
  inspect(reference: string): Promise<InspectedImage | undefined>;
  /**
   * Files and folders read out of an image without running it (so it works
   * on shell-less images); an absent path yields nothing, symlinks are followed.
   * `keep`, when given, chooses the files of a folder to read (by image path).
   */
  readFiles(image: string, paths: string[], keep?: (path: string) => boolean): Promise<Map<string, ImageFile[]>>;
  tag(image: string, reference: string): Promise<void>;
  /** Removes a reference; one the engine lacks is no error. */
  untag(reference: string): Promise<void>;
  /** Saves images (with their tags) in one `docker save` archive; the file appears only once complete. */
  save(references: string[], file: string): Promise<void>;
  load(file: string): Promise<void>;
  /** Pushes a reference and returns the digest the registry gave it; credentials never reach `log` or errors. */
  push(reference: string, auth: RegistryAuth | undefined, log: Log): Promise<string>;
  /**
   * Pulls a reference from its registry (for an index, the platform's image:
   * the engine's own unless named); credentials never reach `log` or errors.
   */
  pull(reference: string, auth: RegistryAuth | undefined, log: Log, platform?: string): Promise<void>;
  /**
   * Runs a command (an argument array, no shell of nx-cnb's) in a throwaway
   * container of an image, on the build network, and returns what it printed;
   * the container is removed either way.
   */
  run(image: string, cmd: string[], options?: { user?: string }): Promise<RunResult>;
}

export interface RunResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Where the engine is, in the words a user would use to fix it. */
export function engineAddress(env: NodeJS.ProcessEnv = process.env): string {
  return env.DOCKER_HOST ? `DOCKER_HOST=${env.DOCKER_HOST}` : 'unix:///var/run/docker.sock (DOCKER_HOST is not set)';
}

export class EngineUnreachableError extends ExpectedError {
  constructor(address: string, reason: string) {
    super(
      `No Docker engine answers at ${address}: ${reason}.\n` + `Start Docker (dockerd), or point DOCKER_HOST at a running engine (unix://, tcp:// or ssh://).`,
    );
    this.name = 'EngineUnreachableError';
  }
}

export class BuildFailedError extends ExpectedError {
  constructor(subject: string, reason: string) {
    super(`Building ${subject} failed: ${reason}`);
    this.name = 'BuildFailedError';
  }
}

export class PushFailedError extends ExpectedError {
  constructor(reference: string, reason: string) {
    super(`pushing ${reference} failed: ${reason}`);
    this.name = 'PushFailedError';
  }
}

export class PullFailedError extends ExpectedError {
  constructor(reference: string, reason: string) {
    super(`pulling ${reference} failed: ${reason}`);
    this.name = 'PullFailedError';
  }
}

export class LoadFailedError extends ExpectedError {
  constructor(file: string, reason: string) {
    super(`loading ${file} failed: ${reason}`);
    this.name = 'LoadFailedError';
  }
}
