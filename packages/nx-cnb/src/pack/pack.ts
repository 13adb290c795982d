import type { Log } from '../engine/engine';
import { ExpectedError } from '../errors';
import versions from '../versions.json';
import type { BuilderCreateRequest } from './args';

/** What nx-cnb asks of the pack CLI; executors receive one, so they are tested against a fake. */
export interface Pack {
  /** What `pack version` printed, e.g. "0.40.6". */
  readonly version: string;
  /** Runs `pack builder create`, with `cwd` as the folder relative paths in the builder.toml start from. */
  builderCreate(request: BuilderCreateRequest, log: Log, cwd: string): Promise<void>;
}

export class PackMissingError extends ExpectedError {
  constructor(tried: string, reason: string) {
    super(
      `pack is not available (tried ${tried}: ${reason}).\n` +
        `Install pack ${versions.pack.split('.').slice(0, 2).join('.')} or newer on PATH (https://buildpacks.io/docs/for-platform-operators/how-to/integrate-ci/pack/), or set NX_CNB_PACK to its path.`,
    );
    this.name = 'PackMissingError';
  }
}

export class PackFailedError extends ExpectedError {
  constructor(args: string[], exitCode: number | undefined, tail: string) {
    super(`pack ${args.slice(0, 2).join(' ')} failed (exit code ${exitCode ?? 'none'}):\n${tail}`);
    this.name = 'PackFailedError';
  }
}
