import type { Log } from '../engine/engine';
import { builderCreateArgs } from './args';
import { type Pack, PackFailedError, PackMissingError } from './pack';

/** The pack binary the environment names: NX_CNB_PACK, else `pack` on PATH. Fails clearly when neither runs. */
export async function findPack(env: NodeJS.ProcessEnv = process.env): Promise<Pack> {
  const path = env.NX_CNB_PACK || 'pack';
  const { execa } = await loadExeca();
  let version: string;
  try {
    const { stdout } = await execa(path, ['version'], { env });
    version = stdout.trim().split(/\s+/)[0];
  } catch (e) {
    const error = e as { code?: string; shortMessage?: string; message: string };
    throw new PackMissingError(
      env.NX_CNB_PACK ? `NX_CNB_PACK=${path}` : '"pack" on PATH',
      error.code === 'ENOENT' ? 'not found' : (error.shortMessage ?? error.message),
    );
  }
  return {
    version,
    builderCreate: async (request, log, cwd) => {
      await runPack(path, builderCreateArgs(request), log, cwd);
    },
  };
}

/** Runs pack with an argument array (never a shell), handing each output line to `log`. */
async function runPack(pack: string, args: string[], log: Log, cwd: string): Promise<string> {
  const lines: string[] = [];
  const { execa } = await loadExeca();
  const child = execa(pack, args, { all: true, reject: false, cwd, buffer: false });
  let partial = '';
  child.all!.on('data', (chunk: Buffer) => {
    const parts = (partial + chunk.toString('utf8')).split('\n');
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

/** execa is an ES module: loaded when pack is first run, so what never runs pack (and jest) never loads it. */
function loadExeca(): Promise<typeof import('execa')> {
  return import('execa');
}
