import { execa } from 'execa';
import { builderCreateArgs, BuilderCreateRequest } from './args';

export class PackMissingError extends Error {
  constructor(tried: string, reason: string) {
    super(
      `pack is not available (tried ${tried}: ${reason}).\n` +
        'Install pack 0.40 or newer on PATH, set NX_CNB_PACK to its path, or run: bash tools/pack.sh',
    );
    this.name = 'PackMissingError';
  }
}

export class PackFailedError extends Error {
  constructor(args: string[], exitCode: number | undefined, tail: string) {
    super(`pack ${args.slice(0, 2).join(' ')} failed (exit code ${exitCode ?? 'none'}):\n${tail}`);
    this.name = 'PackFailedError';
  }
}

/** The pack binary the environment names: NX_CNB_PACK, else `pack` on PATH. Fails clearly when neither runs. */
export async function findPack(env: NodeJS.ProcessEnv = process.env): Promise<{ path: string; version: string }> {
  const path = env.NX_CNB_PACK || 'pack';
  try {
    const { stdout } = await execa(path, ['version'], { env });
    return { path, version: stdout.trim().split(/\s+/)[0] };
  } catch (e) {
    const error = e as { code?: string; shortMessage?: string; message: string };
    throw new PackMissingError(env.NX_CNB_PACK ? `NX_CNB_PACK=${path}` : '"pack" on PATH', error.code === 'ENOENT' ? 'not found' : (error.shortMessage ?? error.message));
  }
}

/** Runs pack with an argument array (never a shell), handing each output line to `log`. */
export async function runPack(pack: string, args: string[], log: (line: string) => void, cwd?: string): Promise<string> {
  const lines: string[] = [];
  const child = execa(pack, args, { all: true, reject: false, cwd, buffer: false });
  let partial = '';
  child.all!.on('data', (chunk: Buffer) => {
    const text = partial + chunk.toString('utf8');
    const parts = text.split('\n');
    partial = parts.pop() ?? '';
    for (const line of parts) {
      lines.push(line);
      log(line);
    }
  });
  const result = await child;
  if (partial) {
    lines.push(partial);
    log(partial);
  }
  if (result.exitCode !== 0) throw new PackFailedError(args, result.exitCode, lines.slice(-15).join('\n'));
  return lines.join('\n');
}

export function builderCreate(pack: string, request: BuilderCreateRequest, log: (line: string) => void, cwd?: string): Promise<string> {
  return runPack(pack, builderCreateArgs(request), log, cwd);
}
